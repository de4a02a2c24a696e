package source

import (
	"bufio"
	"bytes"
	"context"
	"io"
)

// splitMbox reads an mbox from br and calls emit for each message, numbered
// from 1, with its data (a fresh slice) or with the error that stopped it:
// a message bigger than max is skipped, without being buffered, up to the
// next From_ line and reported with an error wrapping ErrTooLarge; a read
// error is reported for the message being read and ends the mbox. Anything
// before the first From_ line is ignored.
//
// splitMbox returns only the error of emit or, when ctx is done, ctx.Err().
//
// Lines are read with ReadSlice, so a line may come in several pieces; a
// piece that does not end a line fills the whole buffer, which is at least
// 16 bytes, so the first piece of a line always holds enough bytes to tell a
// From_ line. Unescaping (^>+From ) is done on the complete line once it is
// in the message buffer, so runs of '>' of any length are handled.
func splitMbox(ctx context.Context, br *bufio.Reader, max int64, emit func(n int, data []byte, err error) error) error {
	return splitMboxFrom(ctx, br, max, func(n int, _, data []byte, err error) error { return emit(n, data, err) })
}

// splitMboxFrom is splitMbox that also passes each message's From_ line
// (its first 256 bytes, without the line end; nil with an error).
func splitMboxFrom(ctx context.Context, br *bufio.Reader, max int64, emit func(n int, from, data []byte, err error) error) error {
	delim := lineDelim(br)
	var fromLine []byte
	var (
		n         int    // number of the current message; 0 before the first From_ line
		buf       []byte // the current message, unless tooLarge
		tooBig    bool   // the current message is over max and being skipped
		lineStart = 0    // offset in buf of the current line
		atStart   = true // the next piece begins a line
		prevEmpty bool   // the last complete line was empty
		pendLen   int    // length of that empty line, which ends buf
		inFrom    bool   // skipping the rest of a long From_ line
		pieces    int
	)
	finish := func() error {
		if n == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if tooBig {
			return emit(n, nil, nil, tooLarge(max))
		}
		if prevEmpty {
			buf = buf[:len(buf)-pendLen]
		}
		data := buf
		if data == nil {
			data = []byte{}
		}
		buf = nil
		return emit(n, fromLine, data, nil)
	}
	for {
		piece, err := br.ReadSlice(delim)
		if err != nil && err != bufio.ErrBufferFull && err != io.EOF {
			if n == 0 {
				n = 1
			}
			return emit(n, nil, nil, err)
		}
		pieces++
		if pieces%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		eol := err != bufio.ErrBufferFull // this piece ends a line
		begin := atStart
		atStart = eol
		if len(piece) > 0 {
			switch {
			case begin && (n == 0 || prevEmpty) && bytes.HasPrefix(piece, fromPrefix):
				// A From_ line: the previous message ends, a new one begins.
				if err := finish(); err != nil {
					return err
				}
				n++
				buf, tooBig, prevEmpty, pendLen = nil, false, false, 0
				fromLine = append([]byte(nil), bytes.TrimRight(piece[:min(len(piece), 256)], "\r\n")...)
				inFrom = !eol
			case inFrom:
				inFrom = !eol
			case n == 0:
				// before the first From_ line
				prevEmpty = begin && eol && isEmptyLine(piece, delim)
			case tooBig:
				prevEmpty = begin && eol && isEmptyLine(piece, delim)
			default:
				if begin {
					lineStart = len(buf)
				}
				buf = append(buf, piece...)
				size := int64(len(buf))
				if eol {
					prevEmpty = begin && isEmptyLine(piece, delim)
					if prevEmpty {
						pendLen = len(piece)
						size -= int64(pendLen) // dropped if a From_ line follows
					} else if line := buf[lineStart:]; isEscapedFrom(line) {
						copy(line, line[1:])
						buf = buf[:len(buf)-1]
						size--
					}
					if size > max {
						tooBig, buf = true, nil
					}
				} else if size > max+1 { // one '>' may still be removed
					tooBig, buf = true, nil
				}
			}
		}
		if err == io.EOF {
			return finish()
		}
	}
}

var fromPrefix = []byte("From ")

// lineDelim returns '\r' if the first line of br ends with a lone CR and
// '\n' otherwise (LF or CRLF).
func lineDelim(br *bufio.Reader) byte {
	head, _ := br.Peek(br.Size())
	i := bytes.IndexAny(head, "\r\n")
	if i >= 0 && head[i] == '\r' && (i+1 < len(head) && head[i+1] != '\n' || i+1 == len(head) && len(head) < br.Size()) {
		return '\r'
	}
	return '\n'
}

// isEmptyLine reports whether a complete line holds only its line end.
func isEmptyLine(line []byte, delim byte) bool {
	if delim == '\r' {
		return string(line) == "\r"
	}
	return string(line) == "\n" || string(line) == "\r\n"
}

// isEscapedFrom reports whether line matches ^>+From .
func isEscapedFrom(line []byte) bool {
	i := 0
	for i < len(line) && line[i] == '>' {
		i++
	}
	return i > 0 && bytes.HasPrefix(line[i:], fromPrefix)
}
