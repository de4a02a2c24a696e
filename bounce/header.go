package bounce

import (
	"bytes"
	"strings"
)

// field is one header field: its name as written and its unfolded value.
// It is the exported Field, so that a parsed header is handed to the
// result as it is, without a copy per message.
type field = Field

// header is a list of header fields in their original order.
type header []field

// get returns the value of the first field named name (case-insensitive), or "".
func (h header) get(name string) string {
	for i := range h {
		if nameIs(h[i].Name, name) {
			return h[i].Value
		}
	}
	return ""
}

// has reports whether a field named name is present.
func (h header) has(name string) bool {
	for i := range h {
		if nameIs(h[i].Name, name) {
			return true
		}
	}
	return false
}

// all returns the values of every field named name, in order.
func (h header) all(name string) []string {
	var out []string
	for i := range h {
		if nameIs(h[i].Name, name) {
			out = append(out, h[i].Value)
		}
	}
	return out
}

// nameIs compares two field names without regard to case. Field names are
// printable ASCII (RFC 5322 section 3.6.8; parseHeader keeps no other), so
// names of different lengths differ: checking the length first spares the
// fold of most of the fields that every header lookup passes over.
func nameIs(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	// ASCII compared in place; strings.EqualFold (a call per field of
	// every header.get) showed in the profile of BenchmarkDecodeCLI.
	for i := 0; i < len(a); i++ {
		c, d := a[i], b[i]
		if c == d {
			continue
		}
		if c|d >= 0x80 {
			return strings.EqualFold(a, b)
		}
		if l := c | 0x20; l != d|0x20 || l < 'a' || l > 'z' {
			return false
		}
	}
	return true
}

// parseHeader reads an RFC 5322 header block from b (LF line ends) and
// returns the fields and the rest of b after the empty line that ends the
// block. It is lenient: an mbox "From " line at the start is skipped, a line
// that is neither a field nor a continuation ends the block only when no
// field was read yet, and is skipped otherwise.
//
// Hand-written rather than net/textproto: textproto rejects the broken
// headers that bounces carry (lines without a colon, 8-bit bytes) and
// allocates a map per message; this is on the hot path of every decode.
// The block is copied to a string once and the names and values are
// slices of it: a copy per name and per value was nearly half of the
// allocations of BenchmarkDecodeCorpus.
func parseHeader(b []byte) (header, []byte) {
	// The block ends at the first empty line; no line of it is empty.
	end := len(b)
	if len(b) > 0 && b[0] == '\n' {
		end = 0
	} else if i := bytes.Index(b, []byte("\n\n")); i >= 0 {
		end = i + 1
	}
	h, rest := parseHeaderText(string(b[:end]), bytes.Count(b[:end], []byte("\n"))+1)
	switch {
	case rest >= 0:
		return h, b[rest:]
	case end < len(b):
		return h, b[end+1:] // after the empty line
	}
	return h, nil
}

// parseHeaderString is parseHeader for a text held as a string.
func parseHeaderString(s string) (header, string) {
	h, rest := parseHeaderText(s, 8)
	if rest < 0 {
		return h, ""
	}
	return h, s[rest:]
}

// parseHeaderText parses the header block at the start of s and returns the
// offset in s of what follows it: after the empty line that ends the block,
// 0 when s does not start with a header, or -1 when s ends in the block.
// lines is what the caller knows of the number of lines in the block (an
// upper bound of the fields, or a guess): the capacity given to the header.
func parseHeaderText(s string, lines int) (header, int) {
	h := make(header, 0, min(max(lines, 1), 256))
	// The values of folded fields are unfolded into one buffer (the
	// non-empty parts of each joined with spaces) that becomes one string
	// when the block ends: a string per folded field (strings.Join) was a
	// sixteenth of the allocations of BenchmarkDecodeCLI.
	var stack [1024]byte
	ub := stack[:0]
	type fix struct{ i, start, end int }
	var fixStack [16]fix
	fixes := fixStack[:0]
	cur := -1 // offset in ub of the last field's unfolded value; -1 if not folded
	unfold := func() {
		if cur >= 0 {
			fixes = append(fixes, fix{len(h) - 1, cur, len(ub)})
			cur = -1
		}
	}
	done := func() {
		unfold()
		if len(fixes) > 0 {
			us := string(ub)
			for _, x := range fixes {
				h[x.i].Value = us[x.start:x.end]
			}
		}
	}
	pos := 0
	for pos < len(s) {
		line, next := s[pos:], -1
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			line, next = line[:i], pos+i+1
		}
		if len(line) == 0 {
			done()
			return h, next
		}
		first := pos == 0
		pos = next
		if next < 0 {
			pos = len(s)
		}
		if first && strings.HasPrefix(line, "From ") {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(h) > 0 {
				if v := strings.TrimSpace(line); v != "" {
					if cur < 0 {
						cur = len(ub)
						if v0 := h[len(h)-1].Value; v0 != "" {
							ub = append(ub, v0...)
							ub = append(ub, ' ')
						}
					} else {
						ub = append(ub, ' ')
					}
					ub = append(ub, v...)
				}
			}
			continue
		}
		c := strings.IndexByte(line, ':')
		if c <= 0 || !validFieldName(line[:c]) {
			if len(h) == 0 {
				// Not a header at all: the whole input is body.
				return h, 0
			}
			continue
		}
		unfold()
		name := trimBlankRight(line[:c])
		value := strings.TrimSpace(line[c+1:])
		h = append(h, field{Name: name, Value: value})
	}
	done()
	return h, -1
}

// trimBlankRight drops trailing spaces and tabs (strings.TrimRight with a
// cutset builds its set on every call: it showed in the decoder's profile).
func trimBlankRight(s string) string {
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

func validFieldName(b string) bool {
	b = trimBlankRight(b)
	if len(b) == 0 || len(b) > 76 {
		return false
	}
	for i := 0; i < len(b); i++ {
		if c := b[i]; c <= ' ' || c >= 127 {
			return false
		}
	}
	return true
}

// mediaType splits a Content-Type value into its lower-cased type and its
// parameters. It is lenient where mime.ParseMediaType is strict: bounces
// carry unquoted boundaries with spaces, duplicated parameters and junk.
func mediaType(v string) (string, map[string]string) {
	t, rest := cutMediaType(v)
	var params map[string]string
	for rest != "" {
		var k, val string
		var ok bool
		k, val, rest, ok = nextParam(rest)
		if !ok {
			continue
		}
		k = strings.ToLower(k)
		if params == nil {
			params = make(map[string]string, 2)
		}
		if _, dup := params[k]; !dup {
			params[k] = val
		}
	}
	return t, params
}

// mediaTypeOf is mediaType for what flatten reads of every MIME part: the
// type and the first boundary and charset parameters, without the map of
// all parameters (two allocations per part in BenchmarkDecodeCLI).
func mediaTypeOf(v string) (t, boundary, charset string) {
	t, rest := cutMediaType(v)
	var haveB, haveC bool
	for rest != "" {
		var k, val string
		var ok bool
		k, val, rest, ok = nextParam(rest)
		switch {
		case !ok:
		case !haveB && lowerIs(k, "boundary"):
			boundary, haveB = val, true
		case !haveC && lowerIs(k, "charset"):
			charset, haveC = val, true
		}
	}
	return t, boundary, charset
}

// cutMediaType returns the lower-cased type of a Content-Type value and
// the parameters after it.
func cutMediaType(v string) (string, string) {
	t, rest, _ := strings.Cut(v, ";")
	return strings.ToLower(strings.TrimSpace(t)), rest
}

// nextParam reads the next parameter of rest: its name (trimmed, not
// lower-cased), its value (trimmed, unquoted) and what follows; ok is
// false for a parameter without '='.
func nextParam(rest string) (k, val, after string, ok bool) {
	var p string
	p, after = cutParam(rest)
	k, val, ok = strings.Cut(p, "=")
	if !ok {
		return "", "", after, false
	}
	k = strings.TrimSpace(k)
	val = strings.TrimSpace(val)
	if len(val) >= 2 && val[0] == '"' {
		if j := strings.IndexByte(val[1:], '"'); j >= 0 {
			val = val[1 : j+1]
		} else {
			val = val[1:]
		}
	}
	return k, val, after, true
}

// lowerIs reports whether strings.ToLower(k) == lit (lit in lower case),
// without the copy for ASCII k.
func lowerIs(k, lit string) bool {
	if isASCII(k) {
		return len(k) == len(lit) && strings.EqualFold(k, lit)
	}
	return strings.ToLower(k) == lit
}

// cutParam returns the next ';'-separated parameter, honouring quotes.
func cutParam(s string) (string, string) {
	inq := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inq = !inq
		case ';':
			if !inq {
				return s[:i], s[i+1:]
			}
		}
	}
	return s, ""
}

// nameIndex finds the fields of a header by name without walking them
// all: a chained hash table keyed by a hash of the name's length and its
// first and last bytes (ASCII case folded, as nameIs compares), each chain
// in the order of the fields. Recognisers ask the notice's header for
// some 150 fields a message, most of them absent; each lookup compared
// every field's name before (header.get and nameIs were a twentieth of the
// decoder's time in BenchmarkDecodeCLI).
type nameIndex struct {
	first [256]int32 // 1 + index of the first field in each chain; 0: none
	next  []int32    // 1 + index of the next field in the same chain; 0: none
	built bool
}

// nameHash is the chain of nameIndex for a field name.
func nameHash(name string) uint8 {
	if name == "" {
		return 0
	}
	return uint8(uint(len(name))*131 + uint(name[0]|0x20)*31 + uint(name[len(name)-1]|0x20))
}

// chain returns 1 + the index in h of the first field that may be named
// name (0: none), building the index of h at the first call.
func (x *nameIndex) chain(h header, name string) int32 {
	if !x.built {
		x.next = make([]int32, len(h))
		for i := len(h) - 1; i >= 0; i-- {
			b := nameHash(h[i].Name)
			x.next[i] = x.first[b]
			x.first[b] = int32(i + 1)
		}
		x.built = true
	}
	return x.first[nameHash(name)]
}

// hget is f.Header.get through the index of f's header.
func (f *flat) hget(name string) string {
	for k := f.names.chain(f.Header, name); k != 0; k = f.names.next[k-1] {
		if nameIs(f.Header[k-1].Name, name) {
			return f.Header[k-1].Value
		}
	}
	return ""
}

// hhas is f.Header.has through the index of f's header.
func (f *flat) hhas(name string) bool {
	for k := f.names.chain(f.Header, name); k != 0; k = f.names.next[k-1] {
		if nameIs(f.Header[k-1].Name, name) {
			return true
		}
	}
	return false
}

// hall is f.Header.all through the index of f's header.
func (f *flat) hall(name string) []string {
	var out []string
	for k := f.names.chain(f.Header, name); k != 0; k = f.names.next[k-1] {
		if nameIs(f.Header[k-1].Name, name) {
			out = append(out, f.Header[k-1].Value)
		}
	}
	return out
}
