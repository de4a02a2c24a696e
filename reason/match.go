package reason

import "strings"

// phrases is a table of lower-case fragments of real MTA error messages that
// point to one reason. It is read-only data: built once as a package-level
// literal and never changed.
type phrases struct {
	// any: the text matches when it contains one of these.
	any []string
	// seq: the text matches when it contains all parts of one entry, in
	// order (each part after the end of the previous one).
	seq [][]string
	// unless: the text never matches when it contains one of these (they
	// name another reason with the same words).
	unless []string
}

// match reports whether the lower-cased, blank-collapsed text s matches.
func (p *phrases) match(s string) bool {
	if p == nil || s == "" {
		return false
	}
	for _, u := range p.unless {
		if strings.Contains(s, u) {
			return false
		}
	}
	for _, a := range p.any {
		if strings.Contains(s, a) {
			return true
		}
	}
	for _, q := range p.seq {
		if inOrder(s, q) {
			return true
		}
	}
	return false
}

// inOrder reports whether s contains every part of parts, each after the
// previous one.
func inOrder(s string, parts []string) bool {
	for _, p := range parts {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}

// normalize lower-cases s and turns every run of blanks (spaces, tabs, line
// breaks) into one space, so that phrases match across folded lines.
func normalize(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			space = true
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteByte(c)
	}
	return b.String()
}
