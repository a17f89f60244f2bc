//! Shared by the CLI and browser tests: run the real binary.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

pub fn chainatlas(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chainatlas"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("the chainatlas binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A running `chainatlas serve`, stopped when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    /// The demo accounts `serve` printed when it created the database: (username, password).
    pub accounts: Vec<(String, String)>,
}

impl Server {
    /// The username and password of the demo account `name` that `serve` printed.
    pub fn account(&self, name: &str) -> (String, String) {
        self.accounts
            .iter()
            .find(|(u, _)| u == name)
            .expect("serve printed the demo accounts")
            .clone()
    }

    /// Starts the server on an ephemeral loopback port and waits until it listens.
    pub fn start(db: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_chainatlas"))
            .arg("--db")
            .arg(db)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let stderr = child.stderr.take().expect("piped");
        let mut lines = BufReader::new(stderr).lines();
        let mut accounts = Vec::new();
        let base = loop {
            let line = lines
                .next()
                .expect("the server reports where it listens")
                .expect("readable");
            let words: Vec<&str> = line.split_whitespace().collect();
            if words.len() >= 4 && (words[2] == "role" || words[2] == "角色") {
                accounts.push((words[0].to_string(), words[1].to_string()));
            }
            if let Some(at) = line.find("http://") {
                let url = line[at..]
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .trim_end_matches('/')
                    .to_string();
                break url;
            }
        };
        // Keep draining the server's log so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            base,
            accounts,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
