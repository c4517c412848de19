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
    #[error("{0}: not an mbox file (its first line does not start with \"From \"); give a Maildir folder or an mbox file")]
    NotMbox(PathBuf),
}

/// The messages of a mailbox, read one at a time (an mbox is never held whole).
pub type Messages = Box<dyn Iterator<Item = MailboxMessage>>;

/// Every message in `path`, a Maildir folder (in file-name order) or an mbox file (in order).
pub fn read(path: &Path) -> Result<Messages, MailboxError> {
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
        Ok(Box::new(out.into_iter()))
    } else {
        use std::io::BufRead;
        let file = std::fs::File::open(path).map_err(unreadable)?;
        let mut reader = std::io::BufReader::new(file);
        // mail-parser drops whatever comes before the first "From " line: a single .eml
        // given by mistake would read as an empty mailbox.
        if !reader.fill_buf().map_err(unreadable)?.starts_with(b"From ") {
            return Err(MailboxError::NotMbox(path.to_path_buf()));
        }
        let shown = path.display().to_string();
        Ok(Box::new(
            mbox::MessageIterator::new(reader)
                .enumerate()
                .map(move |(i, m)| MailboxMessage {
                    name: format!("{shown}#{}", i + 1),
                    contents: m
                        .map(mbox::Message::unwrap_contents)
                        .map_err(|e| format!("the message could not be read: {e}")),
                }),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_and_bodies(messages: Messages) -> Vec<(String, String)> {
        messages
            .map(|m| (m.name, String::from_utf8(m.contents.unwrap()).unwrap()))
            .collect()
    }

    #[test]
    fn an_mbox_is_split_at_its_from_lines_and_unescapes_quoted_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bounces.mbox");
        std::fs::write(
            &path,
            "From MAILER-DAEMON Thu Dec 17 10:01:44 2026\nSubject: one\n\n>From here\n\n\
             From MAILER-DAEMON Thu Dec 17 10:02:00 2026\nSubject: two\n\nbody\n",
        )
        .unwrap();

        let got = names_and_bodies(read(&path).unwrap());

        assert_eq!(got.len(), 2);
        assert!(got[0].0.ends_with("bounces.mbox#1"), "{}", got[0].0);
        assert!(got[0].1.starts_with("Subject: one"), "{}", got[0].1);
        assert!(got[0].1.contains("\nFrom here"), "{}", got[0].1);
        assert!(got[1].1.starts_with("Subject: two"), "{}", got[1].1);
    }

    #[test]
    fn a_maildir_is_read_from_cur_and_new_in_file_name_order() {
        let dir = tempfile::tempdir().unwrap();
        for (sub, name, body) in [
            ("new", "2.mx", "Subject: b\n\n"),
            ("cur", "1.mx:2,S", "Subject: a\n\n"),
        ] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
            std::fs::write(dir.path().join(sub).join(name), body).unwrap();
        }

        let got = names_and_bodies(read(dir.path()).unwrap());

        assert_eq!(got.len(), 2);
        assert!(got[0].0.ends_with("cur/1.mx:2,S"), "{}", got[0].0);
        assert!(got[1].0.ends_with("new/2.mx"), "{}", got[1].0);
    }

    #[test]
    fn a_single_message_file_or_a_plain_folder_is_refused_with_why() {
        let dir = tempfile::tempdir().unwrap();
        let eml = dir.path().join("one.eml");
        std::fs::write(&eml, "Subject: a\n\n").unwrap();

        let file = read(&eml).err().unwrap();
        let folder = read(dir.path()).err().unwrap();
        let missing = read(&dir.path().join("nowhere")).err().unwrap();

        assert!(file.to_string().contains("not an mbox file"), "{file}");
        assert!(folder.to_string().contains("not a Maildir"), "{folder}");
        assert!(
            matches!(missing, MailboxError::Unreadable { .. }),
            "{missing}"
        );
    }
}
