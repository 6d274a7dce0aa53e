// creator: issues HS256 JWTs signed with the key keycreator left in /key/key.
// GET /token?sub=NAME answers {"token": "..."}; GET /health answers ok once the key is there.
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"strings"
	"time"
)

func key() ([]byte, error) {
	b, err := os.ReadFile("/key/key")
	return []byte(strings.TrimSpace(string(b))), err
}

func part(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func token(w http.ResponseWriter, r *http.Request) {
	k, err := key()
	if err != nil {
		http.Error(w, "no key yet", http.StatusServiceUnavailable)
		return
	}
	head := part(map[string]string{"alg": "HS256", "typ": "JWT"})
	body := part(map[string]any{"sub": r.URL.Query().Get("sub"), "exp": time.Now().Add(time.Hour).Unix()})
	mac := hmac.New(sha256.New, k)
	mac.Write([]byte(head + "." + body))
	sig := base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"token": head + "." + body + "." + sig})
}

func main() {
	http.HandleFunc("/token", token)
	http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		if _, err := key(); err != nil {
			http.Error(w, "no key yet", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok"))
	})
	log.Println("creator listening on :8000")
	log.Fatal(http.ListenAndServe(":8000", nil))
}
