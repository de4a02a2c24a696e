package bounce

import "strings"

// Helpers shared by the recognisers of the big providers (Google,
// Microsoft, Yahoo). All are pure functions of their arguments.

// gmsFold folds all runs of white space in s into single spaces.
func gmsFold(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// gmsCap cuts s to at most n bytes, on a rune boundary.
func gmsCap(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// gmsCutOriginal splits text at the first line that begins with one of the
// markers: the text before it, and the returned message after that line
// (nil when no marker occurs). Markers are compared as written.
func gmsCutOriginal(text string, markers ...string) (string, []byte) {
	best := -1
	for _, mk := range markers {
		for from := 0; from < len(text); {
			i := strings.Index(text[from:], mk)
			if i < 0 {
				break
			}
			i += from
			if i == 0 || text[i-1] == '\n' {
				if best < 0 || i < best {
					best = i
				}
				break
			}
			from = i + len(mk)
		}
	}
	if best < 0 {
		return text, nil
	}
	rest := text[best:]
	if nl := strings.IndexByte(rest, '\n'); nl >= 0 {
		rest = strings.TrimLeft(rest[nl+1:], "\n")
	} else {
		rest = ""
	}
	if rest == "" {
		return text[:best], nil
	}
	return text[:best], []byte(rest)
}

// gmsBeforeReturned returns the part of a flattened body before the
// returned message (the "Content-Type: message/rfc822" line that flatten
// writes), or the whole body.
func gmsBeforeReturned(body string) string {
	for _, mk := range []string{"Content-Type: message/rfc822", "Content-Type: text/rfc822-headers", "Content-Type: message/global"} {
		if i := strings.Index(body, "\n"+mk); i >= 0 {
			body = body[:i+1]
		}
	}
	return body
}

// gmsOriginalTo returns the single recipient named in the To: field of a
// returned message, or "" when there is none or several.
func gmsOriginalTo(raw []byte) string {
	if len(raw) == 0 {
		return ""
	}
	h, _ := parseHeader(raw)
	as := findAddresses(h.get("To"))
	if len(as) != 1 {
		return ""
	}
	return as[0]
}

// gmsHeaderAddresses returns the addresses listed in a header such as
// X-Failed-Recipients.
func gmsHeaderAddresses(m *flat, name string) []string {
	return findAddresses(m.hget(name))
}

// gmsProviderHost reports whether host (a Reporting-MTA value or a host
// name) ends with one of the suffixes.
func gmsProviderHost(host string, suffixes ...string) bool {
	_, h := typedValue(host)
	h = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(h), "."))
	if i := strings.IndexAny(h, " [("); i >= 0 {
		h = h[:i]
	}
	if h == "" {
		return false
	}
	for _, s := range suffixes {
		if h == strings.TrimPrefix(s, ".") || strings.HasSuffix(h, s) {
			return true
		}
	}
	return false
}
