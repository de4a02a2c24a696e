package bounce

import "bytes"

// utf8BOM is the byte-order mark some mail clients and Windows tools write
// at the start of a saved message.
var utf8BOM = []byte("\xef\xbb\xbf")

// trimLeading drops what sits before a message's first header field when it
// was saved carelessly: a UTF-8 byte-order mark, blank lines or spaces, and
// an mbox "From " separator line followed by blank lines (the separator
// alone is skipped by parseHeader; RFC 4155 section 2). A message that
// starts with its first header is returned as it is, so the common case
// costs one comparison.
func trimLeading(b []byte) []byte {
	for range 4 {
		n := len(b)
		b = bytes.TrimPrefix(b, utf8BOM)
		i := 0
		for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
			i++
		}
		b = b[i:]
		if bytes.HasPrefix(b, []byte("From ")) {
			// An mbox separator: keep it when a header follows directly
			// (parseHeader skips it), drop it when blank lines follow.
			nl := bytes.IndexByte(b, '\n')
			if nl < 0 {
				return b
			}
			if rest := b[nl+1:]; len(rest) > 0 && (rest[0] == '\n' || rest[0] == '\r' || rest[0] == ' ' || bytes.HasPrefix(rest, utf8BOM)) {
				b = rest
			}
		}
		if len(b) == n {
			break
		}
	}
	return b
}
