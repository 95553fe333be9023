//! Many property cases, one server: starting a server takes seconds, so a property run on a server
//! starts one, builds a template database through the real commands once (`Backend::on_server`:
//! `init`, `import`, each person's login and `user add`) and gives each case a copy of it
//! (`Backend::copy`, dropped after the case). On a file each case is a new `Backend`.

use std::cell::Cell;
use std::sync::Arc;

use matchgate::domain::roles::Role;

use super::backend::{Backend, Kind};
use super::pg::PgServer;

pub struct Cases {
    kind: Kind,
    test: String,
    csv: String,
    people: Vec<(String, Role)>,
    /// On a server: the database every case copies.
    template: Option<Backend>,
    made: Cell<u32>,
}

impl Cases {
    /// None when the server is skipped (no PostgreSQL, said loudly).
    pub fn new(kind: Kind, test: &str, csv: &str, people: &[(&str, Role)]) -> Option<Cases> {
        let template = match kind {
            Kind::Sqlite => None,
            Kind::Postgres => {
                let server = Arc::new(PgServer::start(test)?);
                Some(Backend::on_server(server, "case_template", csv, people))
            }
        };
        Some(Cases {
            kind,
            test: test.to_string(),
            csv: csv.to_string(),
            people: people.iter().map(|(n, r)| (n.to_string(), *r)).collect(),
            template,
            made: Cell::new(0),
        })
    }

    /// A new case: a new file, or a new copy of the template.
    pub fn case(&self) -> Backend {
        let Some(template) = &self.template else {
            let people: Vec<(&str, Role)> =
                self.people.iter().map(|(n, r)| (n.as_str(), *r)).collect();
            let team = Backend::new(self.kind, &self.test, &self.csv, &people);
            return team.expect("a file is never skipped");
        };
        self.made.set(self.made.get() + 1);
        template.copy(&format!("case_{}", self.made.get()))
    }
}
