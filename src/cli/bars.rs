//! Progress bars (indicatif, on stderr, only when it is a terminal).

use super::*;

/// indicatif bars on stderr, one per stage.
pub(super) struct Bars {
    bar: Mutex<Option<ProgressBar>>,
}

impl Bars {
    pub(super) fn new(enabled: bool) -> Option<Bars> {
        enabled.then(|| Bars { bar: Mutex::new(None) })
    }
}

impl Progress for Bars {
    fn begin(&self, stage: &'static str, total: Option<u64>, unit: Unit) {
        let counter = match unit {
            Unit::Bytes => "{bytes} ({bytes_per_sec})",
            Unit::Documents => "{human_pos}/{human_len} documents",
            Unit::Bands => "{pos}/{len} bands",
            Unit::Pairs => "{human_pos}/{human_len} pairs ({per_sec})",
        };
        let (bar, template) = match total {
            Some(n) => (ProgressBar::new(n), format!("{{prefix:>12}} [{{bar:30}}] {counter} {{eta}}")),
            None => (ProgressBar::no_length(), format!("{{prefix:>12}} {{spinner}} {counter} {{elapsed}}")),
        };
        bar.set_draw_target(ProgressDrawTarget::stderr());
        bar.set_style(ProgressStyle::with_template(&template).expect("valid template").progress_chars("=> "));
        bar.set_prefix(stage);
        bar.enable_steady_tick(Duration::from_millis(120));
        *self.bar.lock().expect("progress lock") = Some(bar);
    }

    fn advance(&self, n: u64) {
        if let Some(b) = self.bar.lock().expect("progress lock").as_ref() {
            b.inc(n);
        }
    }

    fn end(&self) {
        if let Some(b) = self.bar.lock().expect("progress lock").take() {
            b.finish_and_clear();
        }
    }
}
