//! Reading the bounce mailbox: a Maildir folder (its `cur/` and `new/`) or an mbox file,
//! both with mail-parser's mailbox readers. A message that cannot be read is returned as an
//! error with its name, never skipped.

use std::path::{Path, PathBuf};

use mail_parser::mailbox::{maildir, mbox};

/// One message of a mailbox: where it came from, and its bytes or why they could not be read.
#[derive(Debug)]
pub struct MailboxMessage {
    /// The Maildir file's path, or `PATH#N` for the N-th message (from 1) of an mbox file.
    pub name: String,
    pub contents: Result<Vec<u8>, String>,
}

/// Why a mailbox cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum MailboxError {
    #[error("{path}: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error("{0}: a folder, but not a Maildir (it has neither cur/ nor new/)")]
    NotMaildir(PathBuf),
}

/// Every message in `path`, a Maildir folder or an mbox file.
pub fn read(path: &Path) -> Result<Vec<MailboxMessage>, MailboxError> {
    let unreadable = |e: std::io::Error| MailboxError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if meta.is_dir() {
        if !path.join("cur").is_dir() && !path.join("new").is_dir() {
            return Err(MailboxError::NotMaildir(path.to_path_buf()));
        }
        // mail-parser reads both cur/ and new/ and wants both to exist.
        for sub in ["cur", "new"] {
            let dir = path.join(sub);
            if !dir.exists() {
                std::fs::create_dir(&dir).map_err(unreadable)?;
            }
        }
        let messages = maildir::MessageIterator::new(path).map_err(unreadable)?;
        let mut out: Vec<MailboxMessage> = messages
            .map(|m| match m {
                Ok(m) => MailboxMessage {
                    name: m.path().display().to_string(),
                    contents: Ok(m.unwrap_contents()),
                },
                Err(e) => MailboxMessage {
                    name: path.display().to_string(),
                    contents: Err(format!("a message could not be read: {e}")),
                },
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    } else {
        let file = std::fs::File::open(path).map_err(unreadable)?;
        let messages = mbox::MessageIterator::new(std::io::BufReader::new(file));
        Ok(messages
            .enumerate()
            .map(|(i, m)| MailboxMessage {
                name: format!("{}#{}", path.display(), i + 1),
                contents: m
                    .map(mbox::Message::unwrap_contents)
                    .map_err(|e| format!("the message could not be read: {e}")),
            })
            .collect())
    }
}
