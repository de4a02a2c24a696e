package web

import (
	"strings"
	"testing"
	"time"
)

// FuzzSafeNext: whatever the "next" parameter, the redirect stays a path
// on this site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/bounces?q=a", "//evil.example", "/\\evil", "/\t/evil", "https://x", "javascript:alert(1)", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got := safeNext(v)
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\t\r\n") {
			t.Fatalf("safeNext(%q) = %q", v, got)
		}
		if got != "/" && got != v {
			t.Fatalf("safeNext(%q) changed it to %q", v, got)
		}
	})
}

// FuzzSession: no cookie value but a signed one passes, and a signed one
// gives back its user.
func FuzzSession(f *testing.F) {
	s := &Server{o: Options{Now: time.Now}, key: []byte("0123456789abcdef0123456789abcdef")}
	f.Add("owner", "")
	f.Add("", "a.b.c.d")
	f.Add("ユーザー", "x")
	f.Fuzz(func(t *testing.T, user, forged string) {
		good := s.newSession(user)
		u, csrf, ok := s.checkSession(good)
		if !ok || u != user || csrf == "" {
			t.Fatalf("own session for %q refused", user)
		}
		if forged != good {
			if _, _, ok := s.checkSession(forged); ok {
				t.Fatalf("forged %q accepted", forged)
			}
		}
	})
}
