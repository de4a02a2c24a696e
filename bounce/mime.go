package bounce

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"
)

// Limits that keep time and memory bounded on hostile input.
const (
	maxDepth      = 24       // MIME nesting followed; deeper parts are kept opaque
	maxTextPart   = 16 << 20 // bytes of one text part that are decoded and scanned
	maxFlat       = 16 << 20 // bytes of flattened text in all
	maxOriginal   = 1 << 20  // bytes of a returned message kept for its headers
	maxParts      = 1000     // MIME parts visited in one message
	maxHeaderScan = 256 << 10
	maxProseLines = 200000 // lines of a notice's prose that recognisers read
)

// part is one leaf MIME part after transfer and charset decoding.
type part struct {
	Type string // lower-case media type, e.g. "message/delivery-status"
	Text string // decoded content (UTF-8 where the charset was known)
}

// flat is a message reduced to what recognisers read: the top-level header,
// the text of all its readable parts in order (the "flattened body", where a
// returned message appears after a "Content-Type: message/rfc822" line), the
// list of parts, and the returned message when a MIME part carries it.
type flat struct {
	Header   header
	Body     string // flattened text, LF line ends
	Parts    []part
	Original []byte   // raw returned message (or its headers), if a MIME part carries one
	OrigType string   // media type of that part
	attached []string // media types of the non-text attachments (not of the returned message's)
	links    []string // link targets of HTML parts (href, action, src), lost when the HTML is stripped
	nparts   int
	warnings []Warning // limits reached: what was not read

	// The header block of Original and what follows it, as parseHeader
	// read them (origHeader nil when not read).
	origHeader header
	origBody   []byte

	names nameIndex // of Header

	// What proseText and subjectOf return, once built.
	prose, subject         string
	proseDone, subjectDone bool
}

// flatten parses raw (LF line ends) into a flat view.
func flatten(raw []byte) *flat {
	h, body := parseHeader(raw)
	f := &flat{Header: h}
	var sb strings.Builder
	// The flattened text is seldom longer than the body it comes from:
	// one buffer of that size spares the copies of a growing one.
	sb.Grow(min(len(body), maxFlat) + 512)
	ct := h.get("Content-Type")
	f.walk(&sb, ct, h.get("Content-Transfer-Encoding"), body, 0, true)
	f.Body = sb.String()
	// Recognisers read at most maxProseLines lines of the text: say so
	// when there are more (each line has at least its line end).
	if len(f.Body) > maxProseLines && strings.Count(f.Body, "\n") > maxProseLines {
		f.warn(WarnProseLines, maxProseLines)
	}
	return f
}

// warn notes that a limit was reached.
func (f *flat) warn(k WarningKind, limit int) {
	f.warnings = addWarning(f.warnings, Warning{Kind: k, Limit: limit})
}

func (f *flat) walk(sb *strings.Builder, ct, cte string, body []byte, depth int, top bool) {
	f.nparts++
	if f.nparts > maxParts {
		f.warn(WarnMIMEParts, maxParts)
		return
	}
	t, boundary, charset := mediaTypeOf(ct)
	if t == "" {
		t = "text/plain"
	}
	if depth >= maxDepth && strings.HasPrefix(t, "multipart/") {
		f.warn(WarnMIMEDepth, maxDepth)
	}
	switch {
	case strings.HasPrefix(t, "multipart/") && depth < maxDepth:
		parts := splitMultipart(body, boundary)
		if len(parts) > maxParts {
			f.warn(WarnMIMEParts, maxParts)
		}
		if parts == nil {
			// Broken or missing boundary: read the body as text.
			f.text(sb, "text/plain", charset, cte, body)
			return
		}
		for _, p := range parts {
			ph, pb := parseHeader(p)
			pct := ph.get("Content-Type")
			if pct == "" && t == "multipart/digest" {
				pct = "message/rfc822"
			}
			f.walk(sb, pct, ph.get("Content-Transfer-Encoding"), pb, depth+1, false)
		}
	case t == "message/rfc822" || t == "message/global" || t == "text/rfc822-headers" ||
		t == "message/global-headers" || t == "message/partial" && !top:
		inner := decodeTransfer(cte, body, maxOriginal)
		if len(inner) > maxOriginal {
			inner = inner[:maxOriginal]
		}
		// The returned message's own header block, decoded, is what
		// recognisers need; its body may be large and is not scanned.
		ih, ibody := parseHeader(inner)
		if f.Original == nil && t != "message/partial" {
			f.Original = inner
			f.OrigType = t
			// Kept for the Original of the result (parseOriginal read
			// the same block a second time).
			f.origHeader, f.origBody = ih, ibody
		}
		sb.WriteString("Content-Type: ")
		sb.WriteString(t)
		sb.WriteString("\n\n")
		end := headerEnd(inner)
		if end > maxHeaderScan {
			end = maxHeaderScan
		}
		sb.WriteString(decodeHeaderBlock(inner[:end], ih))
		sb.WriteString("\n")
	case t == "message/delivery-status" || t == "message/global-delivery-status" ||
		t == "message/feedback-report" || t == "message/disposition-notification" ||
		t == "message/global-disposition-notification":
		txt := decodeTransfer(cte, body, maxTextPart)
		s := toUTF8(txt, "utf-8")
		f.Parts = append(f.Parts, part{Type: t, Text: s})
		if sb.Len() < maxFlat {
			sb.WriteString("Content-Type: ")
			sb.WriteString(t)
			sb.WriteString("\n\n")
			sb.WriteString(s)
			sb.WriteString("\n")
		} else {
			f.warn(WarnTextSize, maxFlat)
		}
	case strings.HasPrefix(t, "text/") || t == "message/partial":
		f.text(sb, t, charset, cte, body)
	default:
		// Attachments (images, archives, executables): never decoded or
		// scanned; only noted.
		if len(f.attached) < 100 {
			f.attached = append(f.attached, t)
		}
		f.Parts = append(f.Parts, part{Type: t})
	}
}

func (f *flat) text(sb *strings.Builder, t, charset, cte string, body []byte) {
	txt := decodeTransfer(cte, body, maxTextPart)
	if len(txt) > maxTextPart {
		txt = txt[:maxTextPart]
		f.warn(WarnTextSize, maxTextPart)
	}
	s := toUTF8(txt, charset)
	if t == "text/html" {
		f.links = htmlLinks(f.links, s, maxLinks)
		s = stripHTML(s)
	}
	f.Parts = append(f.Parts, part{Type: t, Text: s})
	if sb.Len() < maxFlat {
		sb.WriteString(s)
		if !strings.HasSuffix(s, "\n") {
			sb.WriteString("\n")
		}
	} else {
		f.warn(WarnTextSize, maxFlat)
	}
}

// headerEnd returns the offset of the empty line ending the header block of b.
func headerEnd(b []byte) int {
	if i := bytes.Index(b, []byte("\n\n")); i >= 0 {
		return i + 1
	}
	return len(b)
}

// decodeHeaderBlock returns a header block with RFC 2047 encoded words
// decoded, one field a line, unfolded.
func decodeHeaderBlock(block []byte, h header) string {
	if !bytes.Contains(block, []byte("=?")) && utf8.Valid(block) {
		return string(block)
	}
	var sb strings.Builder
	for _, fl := range h {
		sb.WriteString(fl.Name)
		sb.WriteString(": ")
		sb.WriteString(decodeWords(fl.Value))
		sb.WriteString("\n")
	}
	return sb.String()
}

// splitMultipart returns the parts of a multipart body, or nil when the
// boundary does not occur. A missing closing delimiter ends the last part at
// the end of the body (RFC 2046 section 5.1.1 is not what broken MTAs write).
func splitMultipart(body []byte, boundary string) [][]byte {
	if boundary == "" {
		return nil
	}
	delim := []byte("--" + boundary)
	var parts [][]byte
	start := -1
	pos := 0
	for pos <= len(body) {
		i := bytes.Index(body[pos:], delim)
		if i < 0 {
			break
		}
		i += pos
		// The delimiter must begin a line.
		if i > 0 && body[i-1] != '\n' {
			pos = i + len(delim)
			continue
		}
		after := i + len(delim)
		closing := bytes.HasPrefix(body[after:], []byte("--"))
		if start >= 0 {
			end := i
			if end > start && body[end-1] == '\n' {
				end--
			}
			if end < start {
				end = start
			}
			parts = append(parts, body[start:end])
		}
		if closing {
			start = -1
			break
		}
		// The part starts on the line after the delimiter.
		nl := bytes.IndexByte(body[after:], '\n')
		if nl < 0 {
			start = -1
			break
		}
		start = after + nl + 1
		pos = start
		if len(parts) >= maxParts {
			break
		}
	}
	if start >= 0 && start <= len(body) {
		parts = append(parts, body[start:])
	}
	if len(parts) == 0 {
		return nil
	}
	return parts
}

// decodeTransfer undoes a Content-Transfer-Encoding, leniently: invalid
// base64 characters and stray '=' in quoted-printable are passed over, not
// fatal. At most limit output bytes are produced.
func decodeTransfer(cte string, b []byte, limit int) []byte {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return decodeBase64(b, limit)
	case "quoted-printable":
		return decodeQP(b, limit)
	}
	return b
}

func decodeBase64(b []byte, limit int) []byte {
	clean := make([]byte, 0, len(b))
	for _, c := range b {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			clean = append(clean, c)
		}
		if len(clean)/4*3 > limit+3 {
			break
		}
	}
	clean = clean[:len(clean)/4*4+func() int {
		if r := len(clean) % 4; r >= 2 {
			return r
		}
		return 0
	}()]
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, _ := base64.RawStdEncoding.Decode(out, clean)
	return out[:n]
}

func decodeQP(b []byte, limit int) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b) && len(out) < limit; i++ {
		c := b[i]
		if c != '=' {
			// The run up to the next '=' at once (within the limit): a
			// byte at a time, this loop showed in BenchmarkDecodeCLI.
			j := bytes.IndexByte(b[i:], '=')
			if j < 0 {
				j = len(b) - i
			}
			j = min(j, limit-len(out))
			out = append(out, b[i:i+j]...)
			i += j - 1
			continue
		}
		// Soft line break.
		if i+1 < len(b) && b[i+1] == '\n' {
			i++
			continue
		}
		if i+2 < len(b) && isHex(b[i+1]) && isHex(b[i+2]) {
			out = append(out, unhex(b[i+1])<<4|unhex(b[i+2]))
			i += 2
			continue
		}
		// "=" followed by trailing white space and a line end.
		j := i + 1
		for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
			j++
		}
		if j < len(b) && b[j] == '\n' {
			i = j
			continue
		}
		out = append(out, c)
	}
	return out
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// encodingFor returns the decoder for a charset label, or nil when the text
// can be taken as it is (ASCII, UTF-8) or the label is unknown.
func encodingFor(charset string) encoding.Encoding {
	cs := strings.ToLower(strings.Trim(strings.TrimSpace(charset), `"'`))
	switch cs {
	case "", "us-ascii", "ascii", "utf-8", "utf8", "unknown-8bit", "x-unknown", "default":
		return nil
	case "iso-2022-jp", "iso-2022-jp-1", "iso-2022-jp-2", "iso-2022-jp-3", "csiso2022jp", "iso-2022-jp-ms":
		return japanese.ISO2022JP
	case "shift_jis", "shift-jis", "sjis", "x-sjis", "cp932", "windows-31j", "ms932", "ms_kanji", "csshiftjis":
		return japanese.ShiftJIS
	case "euc-jp", "eucjp", "x-euc-jp", "cseucpkdfmtjapanese", "ujis":
		return japanese.EUCJP
	}
	e, err := htmlindex.Get(cs)
	if err != nil {
		return nil
	}
	return e
}

// toUTF8 converts b from charset to UTF-8. Text labelled ASCII but carrying
// ISO-2022-JP escapes (common in Japanese bounces) is decoded as ISO-2022-JP.
// Unknown charsets and undecodable bytes are kept, with invalid UTF-8
// sequences replaced, so that nothing downstream sees broken strings.
func toUTF8(b []byte, charset string) string {
	enc := encodingFor(charset)
	if enc == nil && bytes.Contains(b, []byte("\x1b$")) {
		enc = japanese.ISO2022JP
	}
	if enc == japanese.ISO2022JP {
		return iso2022JPLines(b)
	}
	if enc != nil {
		out, _, err := transform.Bytes(enc.NewDecoder(), b)
		if err == nil {
			return string(out)
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// iso2022JPLines decodes ISO-2022-JP text a line at a time, each line
// starting in ASCII: RFC 1468 has every line end in ASCII, so a line that
// ends inside a character or in a two-byte mode (no ESC ( B before its
// end), as broken encoders and cut lines leave them, garbles that line
// only, not the rest of the part.
func iso2022JPLines(b []byte) string {
	dec := japanese.ISO2022JP.NewDecoder()
	out := make([]byte, 0, len(b)+len(b)/2)
	for len(b) > 0 {
		line, nl := b, false
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, nl = b[:i], true
		}
		b = b[len(line):]
		if nl {
			b = b[1:]
		}
		// The line end is not given to the decoder: a character cut by it
		// would swallow it.
		n0 := len(out)
		res, _, err := transform.Append(dec, out, line) // resets dec
		if err != nil {
			res = append(out[:n0], bytes.ToValidUTF8(line, []byte("\uFFFD"))...)
		}
		out = res
		if nl {
			out = append(out, '\n')
		}
	}
	return string(out)
}

// decodeWords decodes RFC 2047 encoded words in a header value; on failure
// the value is kept as it was. The result is always valid UTF-8: a word in
// an unknown or missing charset, or bytes that are not text, have their
// invalid sequences replaced (FuzzParseHeader found "=??B?0000?=").
func decodeWords(s string) string {
	out := s
	if strings.Contains(s, "=?") {
		d := mime.WordDecoder{CharsetReader: charsetReader}
		if o, err := d.DecodeHeader(s); err == nil {
			out = o
		} else {
			out = decodeWordsLeniently(&d, s)
		}
	}
	if !utf8.ValidString(out) {
		return toUTF8([]byte(out), "")
	}
	return out
}

// decodeWordsLeniently decodes the encoded words of s one by one, keeping
// a malformed one as it is, so that one broken word (a phishing notice's
// trick, or a careless mailer's) does not hide the others. White space
// between two encoded words is dropped (RFC 2047 section 6.2).
func decodeWordsLeniently(d *mime.WordDecoder, s string) string {
	var b strings.Builder
	prevWord := false
	for i, tok := range strings.Fields(s) {
		w, err := d.Decode(tok)
		isWord := err == nil
		if !isWord {
			w = tok
		}
		if i > 0 && !(isWord && prevWord) {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		prevWord = isWord
	}
	return b.String()
}

// charsetReader converts one encoded word's text (a few dozen bytes) at
// once and returns a *bytes.Reader: mime.WordDecoder copies it with
// io.Copy, which then needs no 32 KiB buffer (nor transform.NewReader its
// own 4 KiB) per word.
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	enc := encodingFor(charset)
	if enc == nil {
		return r, nil
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	out, _, err := transform.Bytes(enc.NewDecoder(), b)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(out), nil
}

// stripHTML turns an HTML part into text: tags dropped, <br> and block ends
// become line ends, the common entities decoded.
func stripHTML(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c == '<' {
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				break
			}
			// Compared without lowering a copy of every tag: this runs
			// over every HTML part (BenchmarkDecodeCorpus).
			tag := s[i+1 : i+j]
			if hasPrefixFold(tag, "br") || hasPrefixFold(tag, "/p") || hasPrefixFold(tag, "/div") ||
				hasPrefixFold(tag, "/tr") || hasPrefixFold(tag, "/h") || hasPrefixFold(tag, "p") && (len(tag) == 1 || tag[1] == ' ') {
				sb.WriteByte('\n')
				// A line end in the source is white space in HTML
				// (HTML Living Standard, "white space" in rendering):
				// "addr<br>\n" is one line, not one and a blank.
				if k := i + j + 1; k < len(s) && s[k] == '\n' {
					i = k + 1
					continue
				}
			}
			if hasPrefixFold(tag, "style") || hasPrefixFold(tag, "script") {
				end := "</" + strings.ToLower(tag[:5]) // "</styl" or "</scri"
				if k := indexFold(s[i+j:], end); k >= 0 {
					i = i + j + k
					continue
				}
			}
			i += j + 1
			continue
		}
		// The text up to the next tag, at once (a byte at a time, this
		// loop was most of stripHTML's time).
		k := strings.IndexByte(s[i:], '<')
		if k < 0 {
			sb.WriteString(s[i:])
			break
		}
		sb.WriteString(s[i : i+k])
		i += k
	}
	out := sb.String()
	if strings.IndexByte(out, '&') < 0 {
		return out
	}
	return decodeEntities(out)
}

// htmlEntities are the entities stripHTML decodes; none is a prefix of
// another.
var htmlEntities = [...]struct{ from, to string }{
	{"&nbsp;", " "}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}, {"&quot;", `"`}, {"&#39;", "'"},
}

// decodeEntities replaces the htmlEntities in s, left to right, each
// replacement's text left as it is (as a strings.Replacer of them does,
// which took a fiftieth of BenchmarkDecodeCLI's time).
func decodeEntities(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.IndexByte(s, '&')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i:]
		n := 0
		for _, e := range htmlEntities {
			if strings.HasPrefix(s, e.from) {
				b.WriteString(e.to)
				n = len(e.from)
				break
			}
		}
		if n == 0 {
			b.WriteByte('&')
			n = 1
		}
		s = s[n:]
	}
}

// maxLinks bounds the links kept of one message.
const maxLinks = 50

// htmlLinks appends the http(s) targets of the href, action and src
// attributes in an HTML text: a phishing notice shows "click here" and
// hides its address in the markup, which stripHTML drops.
func htmlLinks(out []string, s string, max int) []string {
	for off := 0; len(out) < max; {
		i := indexFold(s[off:], "http")
		if i < 0 {
			break
		}
		i += off
		off = i + 4
		// Only in an attribute value: preceded by a quote or "=".
		j := i - 1
		if j < 0 || (s[j] != '"' && s[j] != '\'' && s[j] != '=') {
			continue
		}
		rest := s[i:]
		if !hasPrefixFold(rest, "http://") && !hasPrefixFold(rest, "https://") {
			continue
		}
		end := strings.IndexAny(rest, " \t\n<>\"'")
		if end < 0 {
			end = len(rest)
		}
		u := rest[:end]
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
		off = i + end
	}
	return out
}

func hasPrefixFold(s, p string) bool {
	return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p)
}
