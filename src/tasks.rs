//! What one task is, whatever the model runs it on: how much work it does and how it fails.
//! Pure Rust, shared by the runners and by the record's sentences.

/// The error message of the task that `fail` makes fail: what the code panel's Python program
/// raises, `RuntimeError(f"task {i} failed")`.
pub fn failure_message(id: u32) -> String {
    format!("task {id} failed")
}

/// How much work a task does: all of `full` (a delay, or CPU iterations), or half of it for the
/// failing task, which fails halfway through so that what it cuts off stays visible.
pub fn work_of<T: std::ops::Div<Output = T> + From<u8>>(failing: bool, full: T) -> T {
    if failing { full / T::from(2) } else { full }
}
