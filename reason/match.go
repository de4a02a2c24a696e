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
// breaks) into one space, so that phrases match across folded lines. Blanks
// at either end are dropped. A text that needs no change is returned as is.
func normalize(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case blank(c):
			j := i + 1
			for j < len(s) && blank(s[j]) {
				j++
			}
			if j < len(s) && b.Len() > 0 {
				b.WriteByte(' ')
			}
			i = j
		case c >= 'A' && c <= 'Z':
			if b.Cap() == 0 {
				b.Grow(len(s))
			}
			b.WriteByte(c + 'a' - 'A')
			i++
		default:
			// a run to copy as is: no upper case, and single spaces
			// between words only
			j := i + 1
			for j < len(s) {
				c := s[j]
				if c >= 'A' && c <= 'Z' || c == ' ' && (j+1 == len(s) || blank(s[j+1])) || c != ' ' && blank(c) {
					break
				}
				j++
			}
			if i == 0 && j == len(s) {
				return s
			}
			if b.Cap() == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[i:j])
			i = j
		}
	}
	return b.String()
}

// blank reports whether c is a space, a tab or a line break.
func blank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}
