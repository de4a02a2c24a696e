package domaincheck

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Qualifier is an SPF mechanism's result on a match (RFC 7208 section 4.6.2).
type Qualifier string

const (
	Pass     Qualifier = "+"
	Fail     Qualifier = "-"
	SoftFail Qualifier = "~"
	Neutral  Qualifier = "?"
)

// SPFRecord is a parsed SPF record (RFC 7208 section 4.6.1).
type SPFRecord struct {
	Terms []SPFTerm `json:"terms"`
}

// SPFTerm is one directive or modifier of a record.
type SPFTerm struct {
	Raw string `json:"raw"`
	// Mechanism is the lower-case mechanism name (all, include, a, mx,
	// ptr, ip4, ip6, exists); empty for a modifier.
	Mechanism string    `json:"mechanism,omitempty"`
	Qualifier Qualifier `json:"qualifier,omitempty"`
	// Modifier is the lower-case modifier name (redirect, exp, or an
	// unknown one, which RFC 7208 section 6 says to ignore).
	Modifier string `json:"modifier,omitempty"`
	// Domain is the domain-spec of include/a/mx/ptr/exists, or the value
	// of a modifier; it may hold macros (%{i}).
	Domain string `json:"domain,omitempty"`
	// Network is the ip4/ip6 network (a single address is a /32 or /128).
	Network netip.Prefix `json:"network,omitzero"`
	// CIDR4 and CIDR6 are the dual-cidr-length of a and mx, -1 if absent.
	CIDR4 int `json:"cidr4,omitempty"`
	CIDR6 int `json:"cidr6,omitempty"`
}

// QueriesDNS reports whether the term counts against the limit of 10
// DNS-querying terms (RFC 7208 section 4.6.4): include, a, mx, ptr,
// exists and the redirect modifier.
func (t SPFTerm) QueriesDNS() bool {
	switch t.Mechanism {
	case "include", "a", "mx", "ptr", "exists":
		return true
	}
	return t.Modifier == "redirect"
}

// HasMacro reports whether the term's domain depends on the message
// (RFC 7208 section 7), so that it cannot be followed without one.
func (t SPFTerm) HasMacro() bool { return strings.Contains(t.Domain, "%") }

// SPFSyntaxError is a term that does not follow RFC 7208 section 12.
type SPFSyntaxError struct {
	Term   string
	Reason string
}

func (e *SPFSyntaxError) Error() string {
	if e.Term == "" {
		return "spf: " + e.Reason
	}
	return fmt.Sprintf("spf: term %q: %s", e.Term, e.Reason)
}

// IsSPF reports whether a TXT string is an SPF record: "v=spf1" alone or
// followed by a space, case-insensitively (RFC 7208 section 4.5).
func IsSPF(txt string) bool {
	if len(txt) < 6 || !strings.EqualFold(txt[:6], "v=spf1") {
		return false
	}
	return len(txt) == 6 || txt[6] == ' '
}

// ParseSPF parses an SPF record. It reads every term; each bad one gives
// an *SPFSyntaxError, and the error returned joins them (errors.Join),
// so errors.As finds the first. The record holds the terms that parsed.
func ParseSPF(txt string) (*SPFRecord, error) {
	if !IsSPF(txt) {
		return nil, &SPFSyntaxError{Reason: `record does not begin with "v=spf1"`}
	}
	rec := &SPFRecord{Terms: []SPFTerm{}}
	var errs []error
	seen := map[string]bool{}
	for _, raw := range strings.Split(txt[6:], " ") {
		if raw == "" {
			continue
		}
		t, err := parseTerm(raw)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if m := t.Modifier; m == "redirect" || m == "exp" {
			if seen[m] {
				errs = append(errs, &SPFSyntaxError{Term: raw, Reason: m + "= appears more than once (RFC 7208 section 6)"})
				continue
			}
			seen[m] = true
		}
		rec.Terms = append(rec.Terms, t)
	}
	return rec, errors.Join(errs...)
}

func parseTerm(raw string) (SPFTerm, error) {
	t := SPFTerm{Raw: raw, CIDR4: -1, CIDR6: -1}
	bad := func(format string, args ...any) (SPFTerm, error) {
		return SPFTerm{}, &SPFSyntaxError{Term: raw, Reason: fmt.Sprintf(format, args...)}
	}
	for _, r := range raw {
		if r < 0x21 || r > 0x7e {
			return bad("invalid character %q", r)
		}
	}
	// A modifier is name "=" ...; the name cannot contain ":" or "/".
	if i := strings.IndexAny(raw, "=:/"); i > 0 && raw[i] == '=' {
		name := strings.ToLower(raw[:i])
		if !isModifierName(name) {
			return bad("invalid modifier name %q", raw[:i])
		}
		t.Modifier, t.Domain = name, raw[i+1:]
		switch name {
		case "redirect", "exp":
			if t.Domain == "" {
				return bad("%s= needs a domain", name)
			}
			if err := checkDomainSpec(t.Domain, name == "exp"); err != nil {
				return bad("%v", err)
			}
		default:
			if err := checkMacroString(t.Domain, false); err != nil {
				return bad("%v", err)
			}
		}
		return t, nil
	}
	rest := raw
	t.Qualifier = Pass
	switch rest[0] {
	case '+', '-', '~', '?':
		t.Qualifier = Qualifier(rest[:1])
		rest = rest[1:]
	}
	end := strings.IndexAny(rest, ":/")
	if end < 0 {
		end = len(rest)
	}
	t.Mechanism = strings.ToLower(rest[:end])
	rest = rest[end:]
	switch t.Mechanism {
	case "all":
		if rest != "" {
			return bad("all takes no argument")
		}
	case "include", "exists":
		if !strings.HasPrefix(rest, ":") || len(rest) == 1 {
			return bad("%s needs a domain (%s:example.com)", t.Mechanism, t.Mechanism)
		}
		t.Domain = rest[1:]
		if err := checkDomainSpec(t.Domain, false); err != nil {
			return bad("%v", err)
		}
	case "ptr":
		if rest != "" {
			if !strings.HasPrefix(rest, ":") || len(rest) == 1 {
				return bad("ptr takes an optional :domain")
			}
			t.Domain = rest[1:]
			if err := checkDomainSpec(t.Domain, false); err != nil {
				return bad("%v", err)
			}
		}
	case "a", "mx":
		if strings.HasPrefix(rest, ":") {
			i := cidrStart(rest[1:])
			t.Domain, rest = rest[1:1+i], rest[1+i:]
			if t.Domain == "" {
				return bad("empty domain after %s:", t.Mechanism)
			}
			if err := checkDomainSpec(t.Domain, false); err != nil {
				return bad("%v", err)
			}
		}
		var err error
		if t.CIDR4, t.CIDR6, err = parseDualCIDR(rest); err != nil {
			return bad("%v", err)
		}
	case "ip4", "ip6":
		if !strings.HasPrefix(rest, ":") || len(rest) == 1 {
			return bad("%s needs an address (%s:%s)", t.Mechanism, t.Mechanism, map[string]string{"ip4": "192.0.2.0/24", "ip6": "2001:db8::/32"}[t.Mechanism])
		}
		addr, length, hasLen := strings.Cut(rest[1:], "/")
		ip, err := netip.ParseAddr(addr)
		if err != nil || ip.Zone() != "" {
			return bad("invalid IP address %q", addr)
		}
		max := 32
		if t.Mechanism == "ip4" {
			if !ip.Is4() {
				return bad("ip4 needs an IPv4 address, not %q", addr)
			}
		} else {
			if !ip.Is6() || !strings.Contains(addr, ":") {
				return bad("ip6 needs an IPv6 address, not %q", addr)
			}
			max = 128
		}
		bits := max
		if hasLen {
			if bits, err = parseCIDRLen(length, max); err != nil {
				return bad("%v", err)
			}
		}
		t.Network = netip.PrefixFrom(ip, bits)
	case "":
		return bad("missing mechanism")
	default:
		return bad("unknown mechanism %q", t.Mechanism)
	}
	return t, nil
}

func isModifierName(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
		case i > 0 && (r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// cidrStart finds the "/" that starts a dual-cidr-length in s, skipping
// slashes inside macros (%{d1/}).
func cidrStart(s string) int {
	depth := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '%' && i+1 < len(s) && s[i+1] == '{':
			depth = true
		case s[i] == '}':
			depth = false
		case s[i] == '/' && !depth:
			return i
		}
	}
	return len(s)
}

// parseDualCIDR reads [ "/" ip4-cidr-length ] [ "//" ip6-cidr-length ].
func parseDualCIDR(s string) (int, int, error) {
	c4, c6 := -1, -1
	if s == "" {
		return c4, c6, nil
	}
	var err error
	if !strings.HasPrefix(s, "//") {
		if !strings.HasPrefix(s, "/") {
			return 0, 0, fmt.Errorf("unexpected %q", s)
		}
		v4, rest, _ := strings.Cut(s[1:], "/")
		if c4, err = parseCIDRLen(v4, 32); err != nil {
			return 0, 0, err
		}
		if rest == "" && !strings.Contains(s[1:], "/") {
			return c4, c6, nil
		}
		s = "/" + rest
	}
	if !strings.HasPrefix(s, "//") {
		return 0, 0, fmt.Errorf("IPv6 prefix length must follow \"//\"")
	}
	if c6, err = parseCIDRLen(s[2:], 128); err != nil {
		return 0, 0, err
	}
	return c4, c6, nil
}

func parseCIDRLen(s string, max int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > max || (len(s) > 1 && s[0] == '0') || s[0] == '+' {
		return 0, fmt.Errorf("invalid prefix length %q (0 to %d)", s, max)
	}
	return n, nil
}

// checkMacroString checks RFC 7208 section 7.1's macro-string: literal
// visible characters and %{...}, %%, %_, %-. The letters c, r and t are
// allowed only in exp= (explanation strings).
func checkMacroString(s string, exp bool) error {
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch < 0x21 || ch > 0x7e {
			return fmt.Errorf("invalid character %q", ch)
		}
		if ch != '%' {
			continue
		}
		if i+1 >= len(s) {
			return errors.New(`"%" at the end (write "%%" for a percent sign)`)
		}
		switch s[i+1] {
		case '%', '_', '-':
			i++
			continue
		case '{':
		default:
			return fmt.Errorf("invalid macro %q", s[i:i+2])
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return errors.New("macro %{ without }")
		}
		body := s[i+2 : i+end]
		if body == "" {
			return errors.New("empty macro %{}")
		}
		letter := body[0] | 0x20
		switch letter {
		case 's', 'l', 'o', 'd', 'i', 'p', 'h', 'v':
		case 'c', 'r', 't':
			if !exp {
				return fmt.Errorf("macro letter %q only allowed in exp=", body[0])
			}
		default:
			return fmt.Errorf("unknown macro letter %q", body[0])
		}
		j := 1
		for j < len(body) && body[j] >= '0' && body[j] <= '9' {
			j++
		}
		if j < len(body) && (body[j] == 'r' || body[j] == 'R') {
			j++
		}
		for ; j < len(body); j++ {
			if !strings.ContainsRune(".-+,/_=", rune(body[j])) {
				return fmt.Errorf("invalid macro %q", "%{"+body+"}")
			}
		}
		i += end
	}
	return nil
}

// checkDomainSpec checks a domain-spec: a macro-string ending in a macro
// or in "." and a top label (RFC 7208 section 7.1, domain-end).
func checkDomainSpec(s string, exp bool) error {
	if err := checkMacroString(s, exp); err != nil {
		return err
	}
	if strings.HasSuffix(s, "}") {
		return nil
	}
	d := strings.TrimSuffix(s, ".")
	i := strings.LastIndexByte(d, '.')
	if i < 0 {
		return fmt.Errorf("%q is not a fully qualified domain name", s)
	}
	if !isTopLabel(d[i+1:]) {
		return fmt.Errorf("%q does not end in a valid top-level label", s)
	}
	if len(d) > 253 && !strings.Contains(d, "%") {
		return fmt.Errorf("domain %q longer than 253 characters", s)
	}
	return nil
}

// isTopLabel: letters, digits and inner hyphens, not all digits.
func isTopLabel(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	alpha := false
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		switch {
		case c >= 'a' && c <= 'z':
			alpha = true
		case s[i] >= '0' && s[i] <= '9', s[i] == '-':
		default:
			return false
		}
	}
	return alpha || strings.Contains(s, "-")
}

// String formats the record back in canonical form.
func (r *SPFRecord) String() string {
	var b strings.Builder
	b.WriteString("v=spf1")
	for _, t := range r.Terms {
		b.WriteByte(' ')
		b.WriteString(t.String())
	}
	return b.String()
}

// String formats the term canonically: lower-case names, "+" omitted.
func (t SPFTerm) String() string {
	if t.Modifier != "" {
		return t.Modifier + "=" + t.Domain
	}
	var b strings.Builder
	if t.Qualifier != Pass {
		b.WriteString(string(t.Qualifier))
	}
	b.WriteString(t.Mechanism)
	switch t.Mechanism {
	case "ip4", "ip6":
		b.WriteByte(':')
		if t.Network.Bits() == t.Network.Addr().BitLen() {
			b.WriteString(t.Network.Addr().String())
		} else {
			b.WriteString(t.Network.String())
		}
		return b.String()
	}
	if t.Domain != "" {
		b.WriteByte(':')
		b.WriteString(t.Domain)
	}
	if t.CIDR4 >= 0 {
		fmt.Fprintf(&b, "/%d", t.CIDR4)
	}
	if t.CIDR6 >= 0 {
		fmt.Fprintf(&b, "//%d", t.CIDR6)
	}
	return b.String()
}
