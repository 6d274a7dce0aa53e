//! Waiting in `compose up` as docker compose waits: a service starts once what it depends on
//! is started, healthy, or ended with code 0, as its `depends_on` asks; without `-d` until
//! every health check passes. An unhealthy dependency, or one that failed, stops the `up`.

use super::{Swarm, engine_error};
use crate::backend::Error;
use crate::compose::{Condition, Project, Service};
use crate::model::action::Progress;
use crate::tr;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long `up` waits for a dependency to be healthy or to complete.
const DEPENDENCY_WAIT: Duration = Duration::from_secs(300);

impl Swarm {
    /// Waits until what `s` depends on is in the state its `depends_on` asks for.
    pub(super) async fn wait_dependencies(
        &self,
        p: &Project,
        s: &Service,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<(), Error> {
        for d in &s.depends_on {
            if p.services.contains_key(&d.service) {
                self.wait_condition(p, &d.service, d.condition, progress)
                    .await?;
            }
        }
        Ok(())
    }

    pub(super) async fn wait_condition(
        &self,
        p: &Project,
        service: &str,
        condition: Condition,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<(), Error> {
        let Some(svc) = p.services.get(service) else {
            return Ok(());
        };
        let has_health = svc.healthcheck.as_ref().is_some_and(|h| !h.disable);
        if condition == Condition::Healthy && !has_health {
            return Ok(());
        }
        let docker = self.docker();
        let started = std::time::Instant::now();
        let mut said = false;
        loop {
            let mut all = true;
            for n in 1..=svc.replicas() {
                let c = docker
                    .inspect_container(&p.container_name(svc, n), None)
                    .await
                    .map_err(engine_error)?;
                let state = c.state.unwrap_or_default();
                let status = state.status.map(|s| s.to_string()).unwrap_or_default();
                let health = state
                    .health
                    .and_then(|h| h.status)
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                let exit = state.exit_code.unwrap_or(0);
                let ok = match condition {
                    Condition::Started => true,
                    Condition::Healthy if health == "unhealthy" => {
                        return Err(Error::Refused(tr!(
                            "compose.unhealthy",
                            name = p.container_name(svc, n)
                        )));
                    }
                    Condition::Healthy => health == "healthy",
                    Condition::Completed if status == "exited" && exit != 0 => {
                        return Err(Error::Refused(tr!(
                            "compose.failed_dep",
                            name = p.container_name(svc, n),
                            code = exit
                        )));
                    }
                    Condition::Completed => status == "exited",
                };
                all &= ok;
            }
            if all {
                return Ok(());
            }
            if !said {
                said = true;
                let _ = progress
                    .send(Progress::Step(tr!(
                        "compose.waiting",
                        service = service,
                        condition = condition.as_str()
                    )))
                    .await;
            }
            if started.elapsed() > DEPENDENCY_WAIT {
                return Err(Error::Refused(tr!(
                    "compose.wait_timeout",
                    service = service,
                    condition = condition.as_str()
                )));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}
