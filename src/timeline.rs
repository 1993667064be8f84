//! The timeline model: which row of its lane each task's bar goes in, and how many tasks were in
//! flight at once. Pure Rust, tested natively; the page only scales these numbers to pixels.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Where a task ran: the page's event loop, a worker thread of the pool, or a process. The
/// numbers are the ones the page and saved records use (0, k, 2000 + k - 1); this type is the
/// one place that knows them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Lane(u16);

impl Lane {
    /// The page's event loop (async and sequential tasks).
    pub const EVENT_LOOP: Lane = Lane(0);
    /// Process lanes start here, above the most threads a run may have (1,000), so the two never meet.
    const FIRST_PROCESS: u16 = 2000;

    /// Worker thread `n` of the pool, counted from 1 as on screen.
    pub const fn thread(n: u32) -> Lane {
        Lane(n as u16)
    }

    /// Process `n`, counted from 1 as on screen.
    pub const fn process(n: u32) -> Lane {
        Lane(Lane::FIRST_PROCESS + n as u16 - 1)
    }

    /// The lane with this number, as the page and records number lanes.
    pub const fn from_number(n: u32) -> Lane {
        Lane(n as u16)
    }

    /// This lane's number, as the page and records number lanes.
    pub const fn number(self) -> u32 {
        self.0 as u32
    }

    /// What the page calls this lane: "event loop", "thread k" or "process k".
    pub fn label(self) -> String {
        match self.0 {
            0 => "event loop".to_string(),
            n if n >= Lane::FIRST_PROCESS => format!("process {}", n - Lane::FIRST_PROCESS + 1),
            n => format!("thread {n}"),
        }
    }
}

/// How a task's span ended. The discriminants are the numbers of the records' `spanState` array.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub enum SpanState {
    /// The task finished its work.
    #[default]
    Done = 0,
    /// The task failed with an error.
    Failed = 1,
    /// The task was dropped before it finished, because another task failed (`try_join_all`).
    Cancelled = 2,
}

impl SpanState {
    /// Every state, in the order of their numbers.
    pub const EVERY: [SpanState; 3] = [SpanState::Done, SpanState::Failed, SpanState::Cancelled];

    /// The name the JS API uses for this state.
    pub fn name(self) -> &'static str {
        match self {
            SpanState::Done => "done",
            SpanState::Failed => "failed",
            SpanState::Cancelled => "cancelled",
        }
    }
}

/// A time stored per span: ms on the run's clock as an `f32`, 4 bytes where an `f64` takes 8 (at
/// ten million tasks the spans are a quarter of the run's memory). Its resolution is a few
/// microseconds at one second and 0.03 ms at five minutes, the longest run.
pub type SpanMs = f32;

/// Sorts `keys`, ascending. Every sort in the engine goes through here, on `u64` keys that encode
/// what it orders (a time in the high half, made with [`ord32`], and an id or row in the low
/// half), so the standard library's sort is compiled into the module once: with `sort_by` on each
/// element type and comparator it was compiled five times, 32 KB of the module before wasm-opt.
pub fn sort_keys(keys: &mut [u64]) {
    keys.sort_unstable();
}

/// `x` as a `u32` that orders as [`f32::total_cmp`] orders the floats (the sign bit flipped for a
/// positive number, every bit for a negative one).
pub fn ord32(x: f32) -> u32 {
    let bits = x.to_bits();
    if bits >> 31 == 1 { !bits } else { bits | 1 << 31 }
}

/// The float [`ord32`] made `k` from.
pub fn unord32(k: u32) -> f32 {
    f32::from_bits(if k >> 31 == 1 { k & !(1 << 31) } else { !k })
}

/// `x` as a `u64` that orders as [`f64::total_cmp`] orders the floats (see [`ord32`]).
pub fn ord64(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 { !bits } else { bits | 1 << 63 }
}

/// The float [`ord64`] made `k` from.
pub fn unord64(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// A key ordered by `time`, then by `low` (an id or a row).
pub fn time_key(time: SpanMs, low: u32) -> u64 {
    (u64::from(ord32(time)) << 32) | u64::from(low)
}

/// The time and the low half of a [`time_key`].
pub fn split_key(key: u64) -> (SpanMs, u32) {
    (unord32((key >> 32) as u32), key as u32)
}

/// Every task of a run: parallel arrays indexed by task id, 11 bytes a task. Times are ms on the
/// run's own clock (0 = run start). A task that never ended (the run was stopped) has `end` NaN.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Spans {
    /// Lane each task ran in.
    pub lane: Vec<Lane>,
    /// When each task started.
    pub start: Vec<SpanMs>,
    /// When each task ended; NaN while unfinished.
    pub end: Vec<SpanMs>,
    /// How each task ended.
    pub state: Vec<SpanState>,
}

impl Spans {
    /// Room reserved for `n` tasks and none recorded: the arrays grow as tasks start
    /// ([`Spans::cover`]), so the run's first tasks start at once: writing every entry up front
    /// at ten million tasks stalls the page inside the run's time.
    pub fn reserved(n: usize) -> Spans {
        Spans {
            lane: Vec::with_capacity(n),
            start: Vec::with_capacity(n),
            end: Vec::with_capacity(n),
            state: Vec::with_capacity(n),
        }
    }

    /// Makes the entries up to task `i` exist, as [`Spans::with_tasks`] makes them (not
    /// started), and, while there are fewer than `limit`, a batch more: tasks mostly start one
    /// after another, and a check per start is cheaper than four pushes.
    pub fn cover(&mut self, i: usize, limit: usize) {
        const BATCH: usize = 1 << 16;
        let len = self.end.len();
        if i >= len {
            let to = (i + 1).max((len + BATCH).min(limit));
            self.lane.resize(to, Lane::EVENT_LOOP);
            self.start.resize(to, SpanMs::NAN);
            self.end.resize(to, SpanMs::NAN);
            self.state.resize(to, SpanState::Done);
        }
    }

    /// Room for `n` tasks, none started.
    pub fn with_tasks(n: usize) -> Spans {
        Spans {
            lane: vec![Lane::EVENT_LOOP; n],
            start: vec![SpanMs::NAN; n],
            end: vec![SpanMs::NAN; n],
            state: vec![SpanState::Done; n],
        }
    }

    /// How many tasks ended (done, failed or cancelled).
    pub fn finished(&self) -> usize {
        self.end.iter().filter(|e| !e.is_nan()).count()
    }

    /// How many ended tasks are in `state`.
    pub fn count(&self, state: SpanState) -> usize {
        self.end.iter().zip(&self.state).filter(|(e, s)| !e.is_nan() && **s == state).count()
    }
}

/// What a task waited for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub enum WaitKind {
    /// The simulated GIL.
    #[default]
    Gil = 0,
    /// A lock the task's own code takes (the counter's lock, the deadlock's A and B).
    Lock = 1,
}

/// A stretch of a task's time spent waiting for the simulated GIL or a lock: drawn differently
/// from computing on the timeline, so the time a lock costs is visible.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Wait {
    /// What it waited for.
    pub kind: WaitKind,
    /// The task.
    pub id: u32,
    /// Its lane.
    pub lane: Lane,
    /// Start, ms on the run's clock.
    pub start: f64,
    /// End, ms on the run's clock.
    pub end: f64,
}

/// The drawable layout of finished spans.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// Ids of the finished tasks, ordered by start time.
    pub ids: Vec<u32>,
    /// For each entry of `ids`, its row inside its lane (bars in one row never overlap).
    pub rows: Vec<u32>,
    /// The lanes used, ascending, and the rows each needs.
    pub lanes: Vec<(Lane, u32)>,
    /// Most tasks in flight at the same moment, over all lanes.
    pub peak: u32,
}

/// The rows of one lane: a task takes the lowest row free when it starts (greedy interval
/// partitioning, optimal in the number of rows), a new row below the others when none is, and
/// gives it back when it ends. The layout of a record and the live view of a run both place their
/// bars by this rule.
#[derive(Debug, Default)]
pub struct Rows {
    free: BinaryHeap<Reverse<u32>>,
    count: u32,
}

impl Rows {
    /// Takes the lowest free row for a task that starts.
    pub fn take(&mut self) -> u32 {
        match self.free.pop() {
            Some(Reverse(row)) => row,
            None => {
                self.count += 1;
                self.count - 1
            }
        }
    }

    /// `row`, taken for a task that ended, is free again. Each row taken is given back once.
    pub fn give_back(&mut self, row: u32) {
        self.free.push(Reverse(row));
    }

    /// How many rows the lane has needed so far.
    pub fn count(&self) -> u32 {
        self.count
    }
}

/// Lays out finished spans: in each lane, every task takes the lowest row that is free when it
/// starts ([`Rows`]). O(n log n).
pub fn layout(spans: &Spans) -> Layout {
    // Room for every task up front: collected from a filter, the list grew by doubling, copying
    // itself at each step.
    let mut ids: Vec<u32> = Vec::with_capacity(spans.end.len());
    ids.extend((0..spans.end.len() as u32).filter(|&i| !spans.end[i as usize].is_nan()));
    // By start, then id. Already so when tasks started in id order (every async run): checked
    // first, which spares a big run keys of 8 bytes a task.
    let start_key = |&i: &u32| time_key(spans.start[i as usize], i);
    if !ids.is_sorted_by_key(start_key) {
        let mut keys: Vec<u64> = ids.iter().map(start_key).collect();
        sort_keys(&mut keys);
        ids = keys.into_iter().map(|k| k as u32).collect();
    }

    let max_lane = ids.iter().map(|&i| spans.lane[i as usize].0).max().map_or(0, |l| l as usize + 1);
    let mut lanes: Vec<LaneRows> = (0..max_lane).map(|_| LaneRows::default()).collect();
    let mut rows = Vec::with_capacity(ids.len());
    for &id in &ids {
        let (start, end) = (spans.start[id as usize], spans.end[id as usize]);
        let lane = &mut lanes[spans.lane[id as usize].0 as usize];
        lane.free_until(start);
        let row = lane.rows.take();
        lane.busy(end, row);
        rows.push(row);
    }

    Layout {
        peak: peak_in_flight(spans, &ids),
        lanes: lanes
            .iter()
            .enumerate()
            .filter(|(_, l)| l.rows.count() > 0)
            .map(|(i, l)| (Lane(i as u16), l.rows.count()))
            .collect(),
        ids,
        rows,
    }
}

/// Most spans open at one instant; a span that ends exactly when another starts does not overlap.
/// `ids` are in start order, so only the ends need sorting; then the two lists are merged.
fn peak_in_flight(spans: &Spans, ids: &[u32]) -> u32 {
    let time = |t: SpanMs| u64::from(ord32(t));
    let mut ends: Vec<u64> = ids.iter().map(|&i| time(spans.end[i as usize])).collect();
    if !ends.is_sorted() {
        sort_keys(&mut ends);
    }
    let starts = ids.iter().map(|&i| time(spans.start[i as usize]));
    most_open(starts, &ends).max(i64::from(!ids.is_empty())) as u32
}

/// Most intervals open at one instant, from their starts and their ends as keys (an [`ord32`] or
/// [`ord64`] time), each list ascending. An end at or before a start closes first: two intervals
/// that only touch do not overlap. Signed: a zero-length interval's end can be counted just
/// before its own start.
fn most_open(starts: impl Iterator<Item = u64>, ends: &[u64]) -> i64 {
    let (mut open, mut peak, mut e) = (0i64, 0i64, 0usize);
    for start in starts {
        while e < ends.len() && ends[e] <= start {
            open -= 1;
            e += 1;
        }
        open += 1;
        peak = peak.max(open);
    }
    peak
}

/// One lane's rows while [`layout`] assigns them: rows in use by the time they free up, and the
/// lane's [`Rows`]. Ends mostly come in order (tasks of one delay, started in
/// order): rows in use are then a queue, the earliest end in front. The first end that comes
/// before an earlier one turns them into a heap, whose entries are 8 bytes (the span's own `f32`
/// end and the row), half what an `f64` end would take.
#[derive(Default)]
struct LaneRows {
    queue: VecDeque<(SpanMs, u32)>,
    /// [`time_key`]s of the end and the row.
    heap: BinaryHeap<Reverse<u64>>,
    rows: Rows,
}

impl LaneRows {
    /// `row` is in use until `end`.
    fn busy(&mut self, end: SpanMs, row: u32) {
        if self.heap.is_empty() && self.queue.back().is_none_or(|&(e, _)| e <= end) {
            self.queue.push_back((end, row));
        } else {
            let queued = self.queue.drain(..).map(|(e, r)| Reverse(time_key(e, r)));
            self.heap.extend(queued);
            self.heap.push(Reverse(time_key(end, row)));
        }
    }

    /// Frees every row whose task ended at or before `start`.
    fn free_until(&mut self, start: SpanMs) {
        while let Some(&(e, row)) = self.queue.front() {
            if e > start {
                break;
            }
            self.queue.pop_front();
            self.rows.give_back(row);
        }
        while let Some(&Reverse(key)) = self.heap.peek() {
            let (e, row) = split_key(key);
            if e > start {
                break;
            }
            self.heap.pop();
            self.rows.give_back(row);
        }
    }
}

/// Most requests under way at once where they were answered: each is counted from its arrival
/// for `delay_of(id)` ms, the time it was held there. Measured, not assumed: requests that a
/// browser queued arrive later and overlap less.
pub fn peak_at_answerer(arrivals: &[f64], delay_of: impl Fn(u32) -> f64) -> u32 {
    let (mut starts, mut ends) = (Vec::with_capacity(arrivals.len()), Vec::with_capacity(arrivals.len()));
    for (id, &at) in arrivals.iter().enumerate() {
        if at.is_finite() {
            starts.push(ord64(at));
            ends.push(ord64(at + delay_of(id as u32).max(0.5)));
        }
    }
    sort_keys(&mut starts);
    sort_keys(&mut ends);
    // A request sent on a connection just freed is not counted with the one before it.
    most_open(starts.into_iter(), &ends) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(list: &[(u32, f64, f64)]) -> Spans {
        let mut s = Spans::with_tasks(list.len());
        for (i, &(lane, a, b)) in list.iter().enumerate() {
            (s.lane[i], s.start[i], s.end[i]) = (Lane(lane as u16), a as SpanMs, b as SpanMs);
        }
        s
    }

    #[test]
    fn overlapping_tasks_in_one_lane_take_separate_rows() {
        let l = layout(&spans(&[(0, 0.0, 100.0), (0, 1.0, 101.0), (0, 2.0, 102.0)]));
        assert_eq!(l.rows, [0, 1, 2]);
        assert_eq!(l.lanes, [(Lane::EVENT_LOOP, 3)]);
        assert_eq!(l.peak, 3);
    }

    #[test]
    fn back_to_back_tasks_share_a_row() {
        let l = layout(&spans(&[(0, 0.0, 100.0), (0, 100.0, 200.0), (0, 200.0, 300.0)]));
        assert_eq!(l.rows, [0, 0, 0]);
        assert_eq!(l.peak, 1);
    }

    #[test]
    fn thread_lanes_are_kept_apart() {
        let l = layout(&spans(&[
            (1, 0.0, 10.0),
            (2, 0.0, 10.0),
            (1, 10.0, 20.0),
            (2, 10.0, 20.0),
            (3, 0.0, 5.0),
        ]));
        assert_eq!(l.lanes, [(Lane::thread(1), 1), (Lane::thread(2), 1), (Lane::thread(3), 1)]);
        assert_eq!(l.peak, 3);
    }

    #[test]
    fn zero_length_tasks_count_once() {
        assert_eq!(layout(&spans(&[(0, 5.0, 5.0)])).peak, 1);
        assert_eq!(layout(&spans(&[(0, 0.0, 10.0), (0, 5.0, 5.0), (0, 5.0, 8.0)])).peak, 2);
        assert_eq!(layout(&spans(&[(0, 0.0, 0.0), (0, 0.0, 0.0), (0, 0.0, 0.0)])).peak, 1);
    }

    #[test]
    fn tasks_started_out_of_id_order_are_sorted() {
        let l = layout(&spans(&[(1, 20.0, 30.0), (1, 0.0, 10.0), (2, 5.0, 25.0)]));
        assert_eq!(l.ids, [1, 2, 0]);
        assert_eq!(l.peak, 2);
    }

    #[test]
    fn unfinished_tasks_are_left_out() {
        let mut s = spans(&[(0, 0.0, 5.0), (0, 1.0, 6.0)]);
        s.end[1] = SpanMs::NAN;
        let l = layout(&s);
        assert_eq!(l.ids, [0]);
        assert_eq!(s.finished(), 1);
    }

    #[test]
    fn rows_are_reused_lowest_first() {
        // 0: [0,10) row 0; 1: [1,3) row 1; 2: [2,12) row 2; 3: [4,5) reuses row 1.
        let l = layout(&spans(&[(0, 0.0, 10.0), (0, 1.0, 3.0), (0, 2.0, 12.0), (0, 4.0, 5.0)]));
        assert_eq!(l.rows, [0, 1, 2, 1]);
        assert_eq!(l.lanes, [(Lane::EVENT_LOOP, 3)]);
    }

    #[test]
    fn lanes_keep_the_numbers_and_names_the_page_uses() {
        assert_eq!(Lane::EVENT_LOOP.number(), 0);
        assert_eq!(Lane::thread(3).number(), 3);
        assert_eq!(Lane::thread(1_000).label(), "thread 1000", "the most threads a run may have");
        assert_eq!(Lane::process(1).number(), 2000);
        assert_eq!(Lane::process(16).number(), 2015);
        assert_eq!(Lane::EVENT_LOOP.label(), "event loop");
        assert_eq!(Lane::thread(3).label(), "thread 3");
        assert_eq!(Lane::process(1).label(), "process 1");
        assert_eq!(Lane::from_number(2015), Lane::process(16));
    }

    #[test]
    fn span_states_keep_their_numbers_and_names() {
        let all = [SpanState::Done, SpanState::Failed, SpanState::Cancelled];
        assert_eq!(all.map(|s| s as u8), [0, 1, 2]);
        assert_eq!(all.map(SpanState::name), ["done", "failed", "cancelled"]);
        let mut s = spans(&[(0, 0.0, 1.0), (0, 0.0, 2.0), (0, 0.0, 3.0)]);
        s.state[1] = SpanState::Failed;
        assert_eq!(s.count(SpanState::Done), 2);
        assert_eq!(s.count(SpanState::Failed), 1);
    }

    #[test]
    fn peak_counts_requests_held_at_once() {
        // Six connections, 100 ms requests: the second round arrives as the first ends.
        let capped: Vec<f64> = (0..12).map(|i| f64::from(i / 6) * 100.0 + f64::from(i % 6) * 0.3).collect();
        assert_eq!(peak_at_answerer(&capped, |_| 100.0), 6);
        let all: Vec<f64> = (0..1000).map(|i| f64::from(i) * 0.1).collect();
        assert_eq!(peak_at_answerer(&all, |_| 500.0), 1000);
        assert_eq!(peak_at_answerer(&[f64::NAN, 5.0], |_| 10.0), 1);
    }

    #[test]
    fn keys_order_as_total_cmp() {
        let floats =
            [f32::NEG_INFINITY, -1e9, -2.5, -0.0, 0.0, 1e-40, 0.5, 3.0, 1e9, f32::INFINITY, f32::NAN];
        for &a in &floats {
            assert_eq!(unord32(ord32(a)).to_bits(), a.to_bits(), "{a} round trip");
            assert_eq!(unord64(ord64(f64::from(a))).to_bits(), f64::from(a).to_bits(), "{a} round trip");
            for &b in &floats {
                assert_eq!(ord32(a).cmp(&ord32(b)), a.total_cmp(&b), "{a} vs {b}");
                assert_eq!(
                    ord64(f64::from(a)).cmp(&ord64(f64::from(b))),
                    f64::from(a).total_cmp(&f64::from(b))
                );
                for (x, y) in [(1, 2), (2, 1), (7, 7)] {
                    let want = a.total_cmp(&b).then(x.cmp(&y));
                    assert_eq!(time_key(a, x).cmp(&time_key(b, y)), want, "({a}, {x}) vs ({b}, {y})");
                }
            }
        }
        let mut keys = vec![time_key(2.0, 1), time_key(-1.0, 9), time_key(2.0, 0), time_key(0.5, 3)];
        sort_keys(&mut keys);
        let sorted: Vec<(SpanMs, u32)> = keys.into_iter().map(split_key).collect();
        assert_eq!(sorted, [(-1.0, 9), (0.5, 3), (2.0, 0), (2.0, 1)]);
    }

    #[test]
    fn a_request_arriving_as_another_ends_is_not_counted_with_it() {
        // Arrivals 0 and 10 held 10 ms each: the second arrives exactly as the first ends.
        assert_eq!(peak_at_answerer(&[0.0, 10.0], |_| 10.0), 1);
        assert_eq!(peak_at_answerer(&[10.0, 0.0, 5.0], |_| 10.0), 2);
    }

    // proptest is a native dev-dependency: the wasm builds check these tests without it.
    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// Each task gets the lowest row of its lane that is free when it starts, whatever order
        /// the ends come in (in order, the queue; out of order, the heap).
        #[test]
        fn rows_are_the_lowest_free_ones(
            list in proptest::collection::vec((0u32..3, 0u8..30, 0u8..30), 0..200),
        ) {
            let list: Vec<(u32, f64, f64)> =
                list.iter().map(|&(l, a, d)| (l, f64::from(a), f64::from(a) + f64::from(d))).collect();
            let l = layout(&spans(&list));
            let mut row_end: Vec<Vec<f64>> = vec![Vec::new(); 3];
            for (k, &id) in l.ids.iter().enumerate() {
                let (lane, start, end) = list[id as usize];
                let ends = &mut row_end[lane as usize];
                let row = match ends.iter().position(|&e| e <= start) {
                    Some(r) => r,
                    None => {
                        ends.push(0.0);
                        ends.len() - 1
                    }
                };
                ends[row] = end;
                proptest::prop_assert_eq!(l.rows[k], row as u32, "task {}", id);
            }
        }
    }
}
