//! Line numbers as a text editor shows them, for `FILE:LINE` in messages: LF, CRLF and lone CR
//! line ends alike, and quoted CSV fields that span lines. The CSV parser reports where a record
//! starts in bytes; this reader remembers where the line breaks were in the bytes it has handed
//! over but whose records were not yet numbered (at most the parser's buffer), so memory does not
//! grow with the file.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io::Read;

/// A byte stream that notes its line breaks.
pub struct LineCounted<R> {
    inner: R,
    /// Bytes handed over so far.
    offset: u64,
    /// Where each not yet counted line break ends (the offset just after it), and whether it is
    /// a CR LF pair.
    breaks: RefCell<VecDeque<(u64, bool)>>,
    /// Line breaks already counted by [`LineCounted::line_at`].
    counted: Cell<u64>,
    /// The last byte handed over was a CR whose break is not noted yet: it is one break with a
    /// following LF, or a break of its own.
    pending_cr: Option<u64>,
}

impl<R> LineCounted<R> {
    pub fn new(inner: R) -> Self {
        LineCounted {
            inner,
            offset: 0,
            breaks: RefCell::new(VecDeque::new()),
            counted: Cell::new(0),
            pending_cr: None,
        }
    }

    /// The 1-based line of the byte at `offset`. Offsets must not go backwards between calls.
    pub fn line_at(&self, offset: u64) -> u64 {
        let mut breaks = self.breaks.borrow_mut();
        // The parser may start the next record on the LF of a CR LF: that break is behind it too.
        while breaks
            .front()
            .is_some_and(|&(end, crlf)| end <= offset || (crlf && end == offset + 1))
        {
            breaks.pop_front();
            self.counted.set(self.counted.get() + 1);
        }
        self.counted.get() + 1
    }
}

impl<R: Read> Read for LineCounted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut breaks = self.breaks.borrow_mut();
        for (i, b) in buf[..n].iter().enumerate() {
            let at = self.offset + i as u64;
            let after_cr = self.pending_cr.take();
            if let Some(cr) = after_cr
                && *b != b'\n'
            {
                breaks.push_back((cr + 1, false));
            }
            match b {
                b'\n' => breaks.push_back((at + 1, after_cr.is_some())),
                b'\r' => self.pending_cr = Some(at),
                _ => {}
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(text: &[u8], offsets: &[u64], chunk: usize) -> Vec<u64> {
        // Read in small chunks so breaks straddle reads.
        let mut r = LineCounted::new(text);
        let mut buf = vec![0; chunk];
        while r.read(&mut buf).expect("read") > 0 {}
        offsets.iter().map(|o| r.line_at(*o)).collect()
    }

    #[test]
    fn lf_crlf_and_cr_count_the_same() {
        for chunk in [1, 2, 3, 64] {
            assert_eq!(lines_of(b"a\nb\nc", &[0, 2, 4], chunk), vec![1, 2, 3]);
            assert_eq!(lines_of(b"a\r\nb\r\nc", &[0, 3, 6], chunk), vec![1, 2, 3]);
            assert_eq!(lines_of(b"a\rb\rc", &[0, 2, 4], chunk), vec![1, 2, 3]);
            assert_eq!(lines_of(b"a\r\n\r\nb", &[0, 5], chunk), vec![1, 3]);
            // A record the parser starts on the LF of a CR LF is on the next line.
            assert_eq!(lines_of(b"a\r\nb\r\nc", &[0, 2, 5], chunk), vec![1, 2, 3]);
        }
    }
}
