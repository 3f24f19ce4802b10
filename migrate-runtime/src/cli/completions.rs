//! `completions SHELL`: a completion script for bash, zsh, fish (or elvish, PowerShell),
//! generated from the clap definition so it always matches the commands.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, Session, Status};
use crate::Result;

/// Arguments of `completions`.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Install, for example:\n  \
    bash: `migrate completions bash > ~/.local/share/bash-completion/completions/migrate`\n  \
    zsh:  `migrate completions zsh > ~/.zfunc/_migrate` (with `fpath+=~/.zfunc`)\n  \
    fish: `migrate completions fish > ~/.config/fish/completions/migrate.fish`")]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: Shell,
}

impl CompletionsArgs {
    pub(crate) fn run(self, _session: &Session) -> Result<Status> {
        // Complete the name the binary was invoked as: the CLI is embedded in binaries of
        // many names (`video-catalog`, `myapp-migrate`).
        let name = std::env::args_os()
            .next()
            .and_then(|arg0| {
                std::path::Path::new(&arg0)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
            })
            .unwrap_or_else(|| "migrate".to_owned());
        let mut command = Cli::command();
        clap_complete::generate(self.shell, &mut command, name, &mut std::io::stdout());
        Ok(Status::Success)
    }
}
