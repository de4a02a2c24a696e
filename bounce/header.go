package bounce

import (
	"bytes"
	"strings"
)

// field is one header field: its name as written and its unfolded value.
type field struct {
	Name  string
	Value string
}

// header is a list of header fields in their original order.
type header []field

// get returns the value of the first field named name (case-insensitive), or "".
func (h header) get(name string) string {
	for i := range h {
		if strings.EqualFold(h[i].Name, name) {
			return h[i].Value
		}
	}
	return ""
}

// has reports whether a field named name is present.
func (h header) has(name string) bool {
	for i := range h {
		if strings.EqualFold(h[i].Name, name) {
			return true
		}
	}
	return false
}

// all returns the values of every field named name, in order.
func (h header) all(name string) []string {
	var out []string
	for i := range h {
		if strings.EqualFold(h[i].Name, name) {
			out = append(out, h[i].Value)
		}
	}
	return out
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
func parseHeader(b []byte) (header, []byte) {
	h := make(header, 0, 24)
	rest := b
	first := true
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		var line []byte
		var next []byte
		if i < 0 {
			line, next = rest, nil
		} else {
			line, next = rest[:i], rest[i+1:]
		}
		if len(line) == 0 {
			return h, next
		}
		if first && bytes.HasPrefix(line, []byte("From ")) {
			first = false
			rest = next
			continue
		}
		first = false
		if line[0] == ' ' || line[0] == '\t' {
			if len(h) > 0 {
				v := strings.TrimSpace(string(line))
				if v != "" {
					if h[len(h)-1].Value == "" {
						h[len(h)-1].Value = v
					} else {
						h[len(h)-1].Value += " " + v
					}
				}
			}
			rest = next
			continue
		}
		c := bytes.IndexByte(line, ':')
		if c <= 0 || !validFieldName(line[:c]) {
			if len(h) == 0 {
				// Not a header at all: the whole input is body.
				return h, b
			}
			rest = next
			continue
		}
		name := string(bytes.TrimRight(line[:c], " \t"))
		value := strings.TrimSpace(string(line[c+1:]))
		h = append(h, field{Name: name, Value: value})
		rest = next
	}
	return h, nil
}

func validFieldName(b []byte) bool {
	b = bytes.TrimRight(b, " \t")
	if len(b) == 0 || len(b) > 76 {
		return false
	}
	for _, c := range b {
		if c <= ' ' || c >= 127 {
			return false
		}
	}
	return true
}

// mediaType splits a Content-Type value into its lower-cased type and its
// parameters. It is lenient where mime.ParseMediaType is strict: bounces
// carry unquoted boundaries with spaces, duplicated parameters and junk.
func mediaType(v string) (string, map[string]string) {
	t, rest, _ := strings.Cut(v, ";")
	t = strings.ToLower(strings.TrimSpace(t))
	var params map[string]string
	for rest != "" {
		var p string
		p, rest = cutParam(rest)
		k, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.TrimSpace(val)
		if len(val) >= 2 && val[0] == '"' {
			if j := strings.IndexByte(val[1:], '"'); j >= 0 {
				val = val[1 : j+1]
			} else {
				val = val[1:]
			}
		}
		if params == nil {
			params = make(map[string]string, 2)
		}
		if _, dup := params[k]; !dup {
			params[k] = val
		}
	}
	return t, params
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
