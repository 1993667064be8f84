//! What the page draws while a run is under way: every task that started so far, its lane and
//! its row in the lane (the lowest row free when it started, as [`Rows`] gives it), its end once it ended, and the lines
//! the tasks printed. Fed with the run's live events ([`crate::record::EventLog`]) on the event
//! loop; pure Rust, tested natively.
//!
//! Only runs of at most [`MAX_TASKS`] tasks are watched task by task (the event log costs 32
//! bytes per task, and a bar per task stops being readable long before); bigger runs are drawn
//! from the progress counters.

use crate::contract::{LaneInfo, LiveSnapshot};
use crate::output::{self, Bounded, OutputLine};
use crate::params::Workload;
use crate::record::{Event, EventKind, EventLog, Hold, LiveWait};
use crate::timeline::{Lane, Rows, SpanState};

/// The most tasks a run may have to be watched task by task.
pub const MAX_TASKS: u32 = 10_000;

/// The most waits drawn live (a run with the GIL hands it over every 5 ms); the record keeps
/// every one.
const MAX_WAITS: usize = 5_000;

/// The most GIL holds drawn live (two threads hand it over every 5 ms: 200 a second); the
/// record keeps up to [`crate::record::MAX_HOLDS`].
const MAX_HOLDS: usize = 20_000;

/// How often the page redraws the live figure of a run of `workload`, in ms: every 50 ms (20 a
/// second, the bars growing smoothly), but every [`COMPUTE_FRAME_MS`] while the tasks compute.
/// A redraw is CPU work of the page's (style, layout and paint, and where the browser draws
/// without a GPU, its compositing too), and while tasks compute on other threads that work takes
/// a core's share from the very threads the figure shows; a run that waits (sleep, fetch) leaves
/// the cores idle, and a sequential or async computing run holds the page's own thread, so it
/// draws nothing until it ends anyway. Measured in BENCHMARKS.md ("Figures behind design choices").
pub fn frame_ms(workload: Workload) -> u32 {
    match workload {
        Workload::Cpu | Workload::Counter | Workload::Convoy => COMPUTE_FRAME_MS,
        Workload::Sleep | Workload::Fetch | Workload::Deadlock => 50,
    }
}

/// The redraw interval of a run whose tasks compute ([`frame_ms`]).
pub const COMPUTE_FRAME_MS: u32 = 100;

/// The live picture of one run.
#[derive(Debug)]
pub struct LiveView {
    workload: Workload,
    /// Ids in the order they started; the other vectors are indexed by id.
    order: Vec<u32>,
    lane: Vec<Lane>,
    row: Vec<u32>,
    start: Vec<f64>,
    end: Vec<f64>,
    state: Vec<SpanState>,
    /// Each lane's rows, in lane order (a sorted vector: a few lanes, looked up by binary search,
    /// and no B-tree's code in the module).
    lanes: Vec<(Lane, Rows)>,
    /// Where the next read of the event log starts.
    pub cursor: usize,
    /// The lines printed so far: the first and the latest ones, as the record's output keeps them.
    printed: Bounded,
    /// Waits seen so far (for the GIL or a lock), and each lane's latest in that list.
    waits: Vec<LiveWait>,
    /// By the event log's slot (a thread lane's, or an event-loop task's: about 1,000 plus the
    /// run's tasks, at most [`MAX_TASKS`] here), its latest wait's index in `waits`, if any.
    latest_wait: Vec<Option<usize>>,
    /// When [`LiveView::see_waits`] last looked.
    seen_at: f64,
    /// The GIL's holds seen so far, as the GIL keeps them (index for index); the current one
    /// last, with a NaN end.
    holds: Vec<Hold>,
}

impl LiveView {
    /// A view of a run of `tasks` tasks doing `workload`.
    pub fn new(tasks: u32, workload: Workload) -> LiveView {
        let n = tasks as usize;
        LiveView {
            workload,
            order: Vec::with_capacity(n),
            lane: vec![Lane::EVENT_LOOP; n],
            row: vec![0; n],
            start: vec![f64::NAN; n],
            end: vec![f64::NAN; n],
            state: vec![SpanState::Done; n],
            lanes: Vec::new(),
            cursor: 0,
            printed: Bounded::default(),
            waits: Vec::new(),
            latest_wait: Vec::new(),
            seen_at: 0.0,
            holds: Vec::new(),
        }
    }

    /// Takes in each lane's latest wait, as `log` has it at `now` (sampled once a frame, so a
    /// wait that begins and ends between two samples is only in the record). A wait seen under
    /// way and replaced by the next sample is kept as lasting until the sample that saw it: its
    /// real end, a little later, is in the record.
    pub fn see_waits(&mut self, log: &EventLog, now: f64) {
        let before = self.seen_at;
        log.latest_waits(|key, w| match self.latest_wait.get(key).copied().flatten() {
            Some(i) if self.waits[i].start == w.start && self.waits[i].id == w.id => {
                self.waits[i].end = w.end
            }
            known => {
                if let Some(k) = known.map(|i| &mut self.waits[i]).filter(|k| k.end.is_none()) {
                    k.end = Some(before.max(k.start));
                }
                if self.waits.len() < MAX_WAITS {
                    if self.latest_wait.len() <= key {
                        self.latest_wait.resize(key + 1, None);
                    }
                    self.latest_wait[key] = Some(self.waits.len());
                    self.waits.push(w);
                }
            }
        });
        self.seen_at = now;
    }

    /// Takes in the GIL's holds: `read(from)` gives the GIL's holds from index `from` on, the
    /// current one last, or `None` when they cannot be read without waiting (then the holds seen
    /// before stay). The last ended hold is read again: a thread's next hold may extend it.
    pub fn see_holds(&mut self, read: impl FnOnce(usize) -> Option<Vec<Hold>>) {
        let ended = self.holds.len() - usize::from(self.holds.last().is_some_and(|h| h.end.is_nan()));
        let from = ended.saturating_sub(1);
        let Some(new) = read(from) else { return };
        self.holds.truncate(from);
        self.holds.extend(new.into_iter().take(MAX_HOLDS.saturating_sub(from)));
    }

    /// The GIL's holds seen so far.
    pub fn holds(&self) -> &[Hold] {
        &self.holds
    }

    /// The waits seen so far, in the order they were seen.
    pub fn waits(&self) -> &[LiveWait] {
        &self.waits
    }

    /// Takes in one start or end.
    pub fn apply(&mut self, e: Event) {
        let i = e.id as usize;
        if i >= self.start.len() {
            return;
        }
        let text = match e.kind {
            EventKind::Start => {
                self.order.push(e.id);
                self.lane[i] = e.lane;
                self.start[i] = e.at;
                self.row[i] = self.rows(e.lane).take();
                output::start_line(e.id, self.workload)
            }
            EventKind::End(state) => {
                // Only a task in flight holds a row to give back.
                let in_flight = !self.start[i].is_nan() && self.end[i].is_nan();
                self.end[i] = e.at;
                self.state[i] = state;
                if in_flight {
                    let (lane, row) = (self.lane[i], self.row[i]);
                    self.rows(lane).give_back(row);
                }
                // The error's text comes with the record; live, the line says that it failed.
                output::end_line(e.id, self.workload, state, None)
            }
        };
        if output::prints_task_lines(self.workload) {
            self.printed.push(OutputLine { at_ms: e.at, lane: e.lane.number(), text });
        }
    }

    /// The lines printed so far: the first and latest [`output::KEEP`], with one saying how many
    /// were left out between them.
    pub fn lines(&self) -> Vec<OutputLine> {
        self.printed.lines()
    }

    /// The rows of `lane`, new and empty the first time.
    fn rows(&mut self, lane: Lane) -> &mut Rows {
        let k = self.lanes.binary_search_by_key(&lane, |(l, _)| *l).unwrap_or_else(|k| {
            self.lanes.insert(k, (lane, Rows::default()));
            k
        });
        &mut self.lanes[k].1
    }

    /// The lanes used so far and the rows each has needed, in lane order.
    pub fn lanes(&self) -> Vec<(Lane, u32)> {
        self.lanes.iter().map(|(l, r)| (*l, r.count())).collect()
    }

    /// Every task started so far, in start order: `(id, lane, row, start, end, state)`, end NaN
    /// while it runs.
    pub fn spans(&self) -> impl Iterator<Item = (u32, Lane, u32, f64, f64, SpanState)> + '_ {
        self.order.iter().map(|&id| {
            let i = id as usize;
            (id, self.lane[i], self.row[i], self.start[i], self.end[i], self.state[i])
        })
    }

    /// Reads what `log` has since the last call into `snapshot`: the spans, the lanes, the waits
    /// and the printed lines, at the moment `now()` gives after reading them. A thread may begin
    /// a wait or a task while this reads, and a worker's clock may run a fraction of a ms ahead of
    /// the page's (each has its own time origin), so no time in the snapshot is later than its
    /// moment.
    pub fn fill(&mut self, snapshot: &mut LiveSnapshot, log: &EventLog, now: impl Fn() -> f64) {
        let mut cursor = self.cursor;
        log.drain(&mut cursor, |e| self.apply(e));
        self.cursor = cursor;
        self.see_waits(log, snapshot.elapsed_ms);
        let now = now();
        snapshot.elapsed_ms = now;
        let waits = &mut snapshot.waits;
        for w in &self.waits {
            waits.lane.0.push(f64::from(w.lane.number()));
            waits.id.0.push(w.id);
            waits.kind.0.push(w.kind as u8);
            waits.start.0.push(w.start.min(now));
            waits.end.0.push(w.end.map_or(f64::NAN, |e| e.min(now)));
        }
        let gil = &mut snapshot.gil_holds;
        for h in &self.holds {
            gil.holder.0.push(h.lane);
            gil.start.0.push(h.start.min(now));
            gil.end.0.push(if h.end.is_nan() { h.end } else { h.end.min(now) });
        }
        snapshot.lanes = self
            .lanes()
            .into_iter()
            .map(|(lane, rows)| LaneInfo { lane: lane.number(), label: lane.label(), rows })
            .collect();
        let spans = &mut snapshot.spans;
        for (id, lane, row, start, end, state) in self.spans() {
            spans.id.0.push(id);
            spans.lane.0.push(lane.number());
            spans.row.0.push(row);
            spans.start.0.push(start.min(now));
            // NaN while the task runs (f64::min would turn that into `now`).
            spans.end.0.push(if end.is_nan() { end } else { end.min(now) });
            spans.state.0.push(state as u8);
        }
        snapshot.output = self.lines();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_figure_redraws_less_often_while_tasks_compute() {
        for w in [Workload::Cpu, Workload::Counter, Workload::Convoy] {
            assert_eq!(frame_ms(w), COMPUTE_FRAME_MS, "{w:?}");
        }
        for w in [Workload::Sleep, Workload::Fetch, Workload::Deadlock] {
            assert_eq!(frame_ms(w), 50, "{w:?}");
        }
        assert_eq!(COMPUTE_FRAME_MS, 100, "BENCHMARKS.md's figures are for 10 redraws a second");
    }

    fn ev(id: u32, lane: Lane, at: f64, kind: EventKind) -> Event {
        Event { id, lane, at, kind }
    }

    #[test]
    fn rows_are_reused_once_free_and_lines_follow_events() {
        let mut v = LiveView::new(3, Workload::Sleep);
        let t1 = Lane::thread(1);
        v.apply(ev(0, t1, 0.0, EventKind::Start));
        v.apply(ev(1, t1, 1.0, EventKind::Start));
        v.apply(ev(0, t1, 5.0, EventKind::End(SpanState::Done)));
        v.apply(ev(2, t1, 6.0, EventKind::Start));
        let rows: Vec<u32> = v.spans().map(|s| s.2).collect();
        assert_eq!(rows, [0, 1, 0]);
        assert_eq!(v.lanes(), [(t1, 2)]);
        let lines: Vec<String> = v.lines().into_iter().map(|l| l.text).collect();
        assert_eq!(
            lines,
            ["Start fetching url1", "Start fetching url2", "Done fetching url1", "Start fetching url3"]
        );
        let ends: Vec<bool> = v.spans().map(|s| s.4.is_nan()).collect();
        assert_eq!(ends, [false, true, true]);
    }

    #[test]
    fn a_row_is_given_back_once_by_the_task_that_took_it() {
        let mut v = LiveView::new(5, Workload::Sleep);
        let lane = Lane::EVENT_LOOP;
        v.apply(ev(0, lane, 0.0, EventKind::Start));
        v.apply(ev(1, lane, 1.0, EventKind::Start));
        // Task 3 never started here, so it holds no row; task 1's end comes twice.
        v.apply(ev(3, lane, 2.0, EventKind::End(SpanState::Done)));
        v.apply(ev(1, lane, 3.0, EventKind::End(SpanState::Done)));
        v.apply(ev(1, lane, 3.0, EventKind::End(SpanState::Done)));
        v.apply(ev(2, lane, 4.0, EventKind::Start));
        v.apply(ev(4, lane, 5.0, EventKind::Start));
        let rows: Vec<u32> = v.spans().map(|s| s.2).collect();
        assert_eq!(rows, [0, 1, 1, 2]);
        assert_eq!(v.lanes(), [(lane, 3)]);
    }

    #[test]
    fn events_of_unknown_tasks_are_ignored() {
        let mut v = LiveView::new(1, Workload::Cpu);
        v.apply(ev(7, Lane::EVENT_LOOP, 0.0, EventKind::Start));
        assert_eq!(v.spans().count(), 0);
    }

    #[test]
    fn gil_holds_are_read_on_from_the_last_ended_one() {
        let mut v = LiveView::new(2, Workload::Cpu);
        let h = |lane, start, end| Hold { lane, start, end };
        v.see_holds(|from| {
            assert_eq!(from, 0);
            Some(vec![h(1, 0.0, 5.0), h(2, 5.0, f64::NAN)])
        });
        // The GIL's lock was busy: what was seen stays.
        v.see_holds(|_| None);
        assert_eq!(v.holds().len(), 2);
        v.see_holds(|from| {
            assert_eq!(from, 0, "hold 0 is the last ended one: read again");
            Some(vec![h(1, 0.0, 5.0), h(2, 5.0, 10.0), h(1, 10.0, f64::NAN)])
        });
        v.see_holds(|from| {
            assert_eq!(from, 1);
            Some(vec![h(2, 5.0, 10.0), h(1, 10.0, 12.0)])
        });
        let ends: Vec<f64> = v.holds().iter().map(|h| h.end).collect();
        assert_eq!(ends, [5.0, 10.0, 12.0]);
    }

    #[test]
    fn waits_are_followed_from_sample_to_sample() {
        use crate::timeline::WaitKind;
        let log = EventLog::for_tasks(4);
        let mut v = LiveView::new(4, Workload::Cpu);
        let (t1, t2) = (Lane::thread(1), Lane::thread(2));
        log.wait_begin(t1, 0, WaitKind::Gil, 1.0);
        v.see_waits(&log, 2.0);
        assert_eq!(v.waits().len(), 1);
        assert_eq!(v.waits()[0].end, None, "under way");
        log.wait_end(t1, 3.0);
        log.wait_begin(t2, 1, WaitKind::Gil, 3.0);
        v.see_waits(&log, 4.0);
        assert_eq!(v.waits()[0].end, Some(3.0), "its end, as it was written");
        // Thread 2's wait is replaced before a sample saw it end: it lasted until 4 ms at least.
        log.wait_begin(t2, 1, WaitKind::Gil, 5.0);
        v.see_waits(&log, 6.0);
        let ends: Vec<_> = v.waits().iter().map(|w| (w.lane, w.start, w.end)).collect();
        assert_eq!(ends, [(t1, 1.0, Some(3.0)), (t2, 3.0, Some(4.0)), (t2, 5.0, None)]);
    }
}
