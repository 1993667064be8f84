//! Why nothing answers the fetch workload's requests on this page: the page passes a code
//! (`www/engine.js`, from what happened to the page's service worker), this module writes the
//! sentence the page shows and the capabilities carry (`fetchReason`).

/// Why the page's service worker cannot answer the fetch workload here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoFetch {
    /// The browser has no service workers here, or blocks them (a setting or a policy).
    Blocked,
    /// The browser refused this embed (a page inside another page) a service worker.
    FramedRefused,
    /// The page is not a secure context: service workers need HTTPS or localhost.
    Insecure,
    /// The worker registered but did not take control of the page in time.
    NotClaimed,
}

impl NoFetch {
    /// Reads the code the page passes (`blocked`, `framed-refused`, `insecure`, `not-claimed`);
    /// anything else is `blocked`.
    pub fn parse(code: &str) -> NoFetch {
        match code {
            "framed-refused" => NoFetch::FramedRefused,
            "insecure" => NoFetch::Insecure,
            "not-claimed" => NoFetch::NotClaimed,
            _ => NoFetch::Blocked,
        }
    }

    /// Why, as a clause ("this browser ...").
    fn why(self) -> &'static str {
        match self {
            NoFetch::Blocked => "this browser blocks or lacks service workers here",
            NoFetch::FramedRefused => "this browser refused this embed a service worker",
            NoFetch::Insecure => "service workers need HTTPS (or localhost)",
            NoFetch::NotClaimed => {
                "the page's service worker registered but did not take control of the page"
            }
        }
    }

    /// Where the fetch workload runs instead, as a clause.
    fn way_out(self) -> &'static str {
        match self {
            NoFetch::Blocked => {
                "a host that answers the requests itself (./build.sh serve) needs no service worker"
            }
            NoFetch::FramedRefused => {
                "the full page (\"Open in the playground\") can have one where an embed cannot, and a \
                 host that answers the requests itself (./build.sh serve) needs none"
            }
            NoFetch::Insecure => "the same page over HTTPS has one",
            NoFetch::NotClaimed => "reloading the page puts it in control",
        }
    }

    /// The page's one sentence: the reason, then the way out.
    pub fn sentence(self) -> String {
        format!(
            "Fetch is unavailable here: nothing on this host answers its requests with their delay (on a \
             static host the page's own service worker does), and {}; {}.",
            self.why(),
            self.way_out()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::NoFetch;

    #[test]
    fn each_code_has_its_own_reason_and_way_out() {
        let codes = ["blocked", "framed-refused", "insecure", "not-claimed"];
        let sentences: Vec<String> = codes.iter().map(|c| NoFetch::parse(c).sentence()).collect();
        for (i, s) in sentences.iter().enumerate() {
            assert!(s.starts_with("Fetch is unavailable here: "), "{s}");
            assert!(!sentences[..i].contains(s), "two codes, one sentence: {s}");
            assert_eq!(s.matches(". ").count(), 0, "one sentence: {s}");
            assert!(s.ends_with('.'), "{s}");
        }
        assert!(sentences[1].contains("refused this embed a service worker"));
        assert!(sentences[2].contains("HTTPS"));
        assert_eq!(NoFetch::parse("anything else"), NoFetch::Blocked);
    }
}
