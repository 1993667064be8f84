//! Why threads have memory of their own on this page (Web Workers without SharedArrayBuffer, or
//! without WebAssembly threads): the page passes a code (`www/engine.js`, from what `www/coi.js`
//! found about isolation and what the browser supports), this module writes the sentence the
//! page shows and the capabilities carry (`threadsReason`).

/// Why this page's threads cannot share memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoSharedMemory {
    /// The page is not cross-origin isolated, and nothing says why (no coi.js, or an unknown code).
    NotIsolated,
    /// The browser blocks or lacks the service worker that would add the headers.
    Blocked,
    /// The service worker that would add the headers needs HTTPS.
    Insecure,
    /// The service worker registered but the page stayed without isolation.
    NoEffect,
    /// An embed whose page around it is not isolated (or whose iframe does not allow it).
    Framed,
    /// An embed the browser refused the service worker that would isolate it.
    FramedBlocked,
    /// An embed the service worker did not isolate.
    FramedNoEffect,
    /// An isolated page in a browser without WebAssembly threads.
    NoWasmThreads,
}

impl NoSharedMemory {
    /// Reads the code the page passes (coi.js's reason codes, `not-isolated`, or `unsupported`
    /// for a browser without WebAssembly threads); anything else is `not-isolated`.
    pub fn parse(code: &str) -> NoSharedMemory {
        match code {
            "blocked" => NoSharedMemory::Blocked,
            "insecure" => NoSharedMemory::Insecure,
            "no-effect" => NoSharedMemory::NoEffect,
            "framed" => NoSharedMemory::Framed,
            "framed-blocked" => NoSharedMemory::FramedBlocked,
            "framed-no-effect" => NoSharedMemory::FramedNoEffect,
            "unsupported" => NoSharedMemory::NoWasmThreads,
            _ => NoSharedMemory::NotIsolated,
        }
    }

    /// The page's one sentence.
    pub fn sentence(self) -> String {
        const OWN: &str = "Threads have memory of their own here because";
        const SHARE: &str = "browsers only share memory (SharedArrayBuffer) with Web Workers on pages \
                             sent with the COOP and COEP headers, and";
        match self {
            NoSharedMemory::NotIsolated => "Threads here are Web Workers with memory of their own \
                because this page is not cross-origin isolated: browsers only share memory \
                (SharedArrayBuffer) with Web Workers on pages served with the COOP and COEP \
                headers, which ./build.sh serve sends."
                .into(),
            NoSharedMemory::Blocked => {
                format!("{OWN} {SHARE} this browser blocks or lacks the service worker that adds them here.")
            }
            NoSharedMemory::Insecure => {
                format!("{OWN} {SHARE} the service worker that adds them here needs HTTPS.")
            }
            NoSharedMemory::NoEffect => {
                format!("{OWN} {SHARE} the service worker that should add them here had no effect.")
            }
            NoSharedMemory::Framed => format!(
                "{OWN} browsers only share memory (SharedArrayBuffer) with an embedded page's Web \
                 Workers when the page around it is sent with the COOP and COEP headers and its \
                 iframe has allow=\"cross-origin-isolated\"."
            ),
            NoSharedMemory::FramedBlocked => format!(
                "{OWN} this embed is not cross-origin isolated and the browser refused it the \
                 service worker that would isolate it, so it runs without SharedArrayBuffer."
            ),
            NoSharedMemory::FramedNoEffect => format!(
                "{OWN} the service worker that should isolate this embed had no effect in this \
                 browser, so it runs without SharedArrayBuffer."
            ),
            NoSharedMemory::NoWasmThreads => {
                format!("{OWN} this browser does not support WebAssembly threads.")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::NoSharedMemory;

    const CODES: [&str; 8] = [
        "not-isolated",
        "blocked",
        "insecure",
        "no-effect",
        "framed",
        "framed-blocked",
        "framed-no-effect",
        "unsupported",
    ];

    #[test]
    fn each_code_has_its_own_sentence() {
        let sentences: Vec<String> = CODES.iter().map(|c| NoSharedMemory::parse(c).sentence()).collect();
        for (i, s) in sentences.iter().enumerate() {
            assert!(s.starts_with("Threads "), "{s}");
            assert!(s.contains("memory of their own"), "{s}");
            assert!(!sentences[..i].contains(s), "two codes, one sentence: {s}");
            assert_eq!(s.matches(". ").count(), 0, "one sentence: {s}");
            assert!(s.ends_with('.'), "{s}");
            assert!(!s.contains("  "), "no double spaces: {s}");
        }
        assert_eq!(NoSharedMemory::parse("anything else"), NoSharedMemory::NotIsolated);
    }

    #[test]
    fn the_words_the_tests_and_readme_quote() {
        // tests/e2e/engines.test.mjs and the README's embed matrix quote these.
        assert_eq!(
            NoSharedMemory::parse("unsupported").sentence(),
            "Threads have memory of their own here because this browser does not support \
             WebAssembly threads."
        );
        assert_eq!(
            NoSharedMemory::parse("framed").sentence(),
            "Threads have memory of their own here because browsers only share memory \
             (SharedArrayBuffer) with an embedded page's Web Workers when the page around it is \
             sent with the COOP and COEP headers and its iframe has allow=\"cross-origin-isolated\"."
        );
    }
}
