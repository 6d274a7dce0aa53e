// Prints, for each service of the compose project in the current folder, the JSON docker
// compose hashes (its com.docker.compose.config-hash label) and the hash, so that a test or a
// person can see which field estiba's model of a service differs in.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/docker/compose/v5/pkg/compose"
)

func main() {
	profiles := []string{}
	if p := os.Getenv("COMPOSE_PROFILES"); p != "" {
		profiles = strings.Split(p, ",")
	}
	opts, err := cli.NewProjectOptions(os.Args[1:], cli.WithWorkingDirectory("."), cli.WithOsEnv, cli.WithEnvFiles(), cli.WithDotEnv, cli.WithConfigFileEnv, cli.WithDefaultConfigPath, cli.WithProfiles(profiles), cli.WithConsistency(false), cli.WithoutEnvironmentResolution)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// As `docker compose up` does: env_file merged into environment, then dropped.
	p, err = p.WithServicesEnvironmentResolved(true)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	names := []string{}
	for n := range p.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := p.Services[n]
		h, _ := compose.ServiceHash(s)
		s.Build = nil
		s.PullPolicy = ""
		s.Scale = nil
		if s.Deploy != nil {
			d := *s.Deploy
			d.Replicas = nil
			s.Deploy = &d
		}
		s.DependsOn = nil
		s.Profiles = nil
		raw, _ := json.Marshal(s)
		fmt.Printf("%s %s %s\n", n, h, raw)
	}
}
