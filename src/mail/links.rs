//! The public addresses mails point to (survey form, opt-out, set-password pages).

/// Where links point: the public base URL without a trailing slash.
#[derive(Debug, Clone)]
pub struct Links {
    pub base_url: String,
}

impl Links {
    pub fn survey(&self, token: &str) -> String {
        format!("{}/s/{token}", self.base_url)
    }
    pub fn opt_out(&self, token: &str) -> String {
        format!("{}/s/{token}/opt-out", self.base_url)
    }
    pub fn set_password(&self, token: &str) -> String {
        format!("{}/set-password/{token}", self.base_url)
    }
}
