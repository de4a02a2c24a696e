package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/bouncewatch/bouncewatch/advice"
)

const (
	sessionCookie = "bw_session"
	preCookie     = "bw_pre" // the login form's CSRF token, before a session
	langCookie    = "bw_lang"
	tzCookie      = "bw_tz"
	sessionTTL    = 12 * time.Hour
)

// req is what a page knows of its request: who asks, in which language
// and time zone, and the CSRF token its forms carry.
type req struct {
	User   string
	Bearer bool // authenticated by the API token in the header
	CSRF   string
	Lang   advice.Lang
	Loc    *time.Location
	T      words
}

func (s *Server) mac(parts ...string) string {
	m := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return hex.EncodeToString(m.Sum(nil))
}

// newSession signs a session for user: user, expiry, a nonce the CSRF
// token derives from, and the MAC of the three.
func (s *Server) newSession(user string) string {
	var n [16]byte
	_, _ = rand.Read(n[:])
	u := base64.RawURLEncoding.EncodeToString([]byte(user))
	exp := strconv.FormatInt(s.o.Now().Add(sessionTTL).Unix(), 10)
	nonce := hex.EncodeToString(n[:])
	return u + "." + exp + "." + nonce + "." + s.mac("session", u, exp, nonce)
}

// checkSession returns the session's user and CSRF token.
func (s *Server) checkSession(v string) (user, csrf string, ok bool) {
	p := strings.Split(v, ".")
	if len(p) != 4 || !hmac.Equal([]byte(p[3]), []byte(s.mac("session", p[0], p[1], p[2]))) {
		return "", "", false
	}
	exp, err := strconv.ParseInt(p[1], 10, 64)
	if err != nil || s.o.Now().Unix() > exp {
		return "", "", false
	}
	u, err := base64.RawURLEncoding.DecodeString(p[0])
	if err != nil {
		return "", "", false
	}
	return string(u), s.mac("csrf", p[2]), true
}

// tokenOK compares a presented API token with ours in constant time.
func (s *Server) tokenOK(got string) bool {
	return s.o.Token != "" && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(s.o.Token)) == 1
}

// base fills the language and time zone of a request.
func (s *Server) base(r *http.Request) *req {
	q := &req{Lang: s.langOf(r), Loc: s.o.Location}
	if c, err := r.Cookie(tzCookie); err == nil && c.Value != "" && len(c.Value) < 64 {
		if loc, err := time.LoadLocation(c.Value); err == nil {
			q.Loc = loc
		}
	}
	q.T = wordsFor(q.Lang)
	return q
}

// langOf: the cookie the switch sets, else Accept-Language, else the
// configured language.
func (s *Server) langOf(r *http.Request) advice.Lang {
	if c, err := r.Cookie(langCookie); err == nil {
		switch c.Value {
		case "ja":
			return advice.Japanese
		case "en":
			return advice.English
		}
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(tag)
		switch {
		case tag == "ja" || strings.HasPrefix(tag, "ja-"):
			return advice.Japanese
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			return advice.English
		}
	}
	if s.o.Lang == advice.Japanese {
		return advice.Japanese
	}
	return advice.English
}

// authed lets a request through with a valid session or the API token as
// a bearer token; a state change with a session must carry its CSRF
// token (a bearer token is never sent by a browser on its own, so it
// needs none). Others go to the login page (a page) or get 401.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, *req)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := s.base(r)
		if got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			if !s.tokenOK(got) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="bouncewatch"`)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			q.User, q.Bearer = "api-token", true
		} else if c, err := r.Cookie(sessionCookie); err == nil {
			user, csrf, ok := s.checkSession(c.Value)
			if ok {
				q.User, q.CSRF = user, csrf
			}
		}
		if q.User == "" {
			if r.Method == http.MethodGet && r.URL.Path != "/events" && !strings.HasSuffix(r.URL.Path, "/raw") && !strings.HasSuffix(r.URL.Path, ".csv") {
				http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !q.Bearer {
			got := r.Header.Get("X-CSRF-Token")
			if got == "" {
				got = r.PostFormValue("csrf")
			}
			if got == "" || !hmac.Equal([]byte(got), []byte(q.CSRF)) {
				http.Error(w, "forbidden: missing or wrong CSRF token; reload the page and try again", http.StatusForbidden)
				return
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		h(w, r, q)
	})
}

// loginPage shows the form, with a fresh token in a cookie and the form
// (the double-submit defence against login CSRF).
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	q := s.base(r)
	var n [16]byte
	_, _ = rand.Read(n[:])
	pre := hex.EncodeToString(n[:])
	http.SetCookie(w, &http.Cookie{Name: preCookie, Value: pre, Path: "/login", HttpOnly: true, Secure: s.o.TLS,
		SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	q.CSRF = pre
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, q, "login", map[string]any{"Next": safeNext(r.URL.Query().Get("next")), "Error": r.URL.Query().Get("e") != "",
		"Users": len(s.o.Users) > 0})
}

// loginPost checks a name and password, or the API token, at most five
// failures a minute per client address.
func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.PostFormValue("next"))
	c, err := r.Cookie(preCookie)
	if err != nil || c.Value == "" || !hmac.Equal([]byte(c.Value), []byte(r.PostFormValue("csrf"))) {
		http.Error(w, "forbidden: missing or wrong CSRF token; reload the login page", http.StatusForbidden)
		return
	}
	ip := clientIP(r)
	if !s.login.allow(ip, s.o.Now()) {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many failed logins; wait a minute", http.StatusTooManyRequests)
		return
	}
	user, pass := strings.TrimSpace(r.PostFormValue("user")), r.PostFormValue("password")
	ok := false
	if hash, found := s.o.Users[user]; found && user != "" {
		ok = bcrypt.CompareHashAndPassword([]byte(hash), []byte(pass)) == nil
	} else if user == "" || user == "token" {
		ok, user = s.tokenOK(pass), "api-token"
	}
	if !ok {
		s.login.fail(ip, s.o.Now())
		s.o.Log.Warn("dashboard login failed", "client", ip)
		http.Redirect(w, r, "/login?e=1&next="+urlQueryEscape(next), http.StatusSeeOther)
		return
	}
	s.o.Log.Info("dashboard login", "user", user, "client", ip)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.newSession(user), Path: "/", HttpOnly: true, Secure: s.o.TLS,
		SameSite: http.SameSiteStrictMode, MaxAge: int(sessionTTL / time.Second)})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, q *req) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.o.TLS,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// setLang remembers the language in a cookie and goes back.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	l := r.URL.Query().Get("l")
	if l != "ja" && l != "en" {
		http.Error(w, "l must be ja or en", http.StatusBadRequest)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", Secure: s.o.TLS, SameSite: http.SameSiteLaxMode,
		MaxAge: 365 * 24 * 3600})
	http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
}

// safeNext keeps a redirect on this site: a path, never "//host" or a
// scheme.
func safeNext(v string) string {
	if !strings.HasPrefix(v, "/") || strings.ContainsRune(v, '\\') {
		return "/"
	}
	for _, c := range v {
		if c < 0x20 || c == 0x7f { // browsers drop tabs and newlines: "/\t/host" is "//host"
			return "/"
		}
	}
	if strings.HasPrefix(v, "//") {
		return "/"
	}
	return v
}

func clientIP(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}

// limiter counts failed logins per client in a fixed window.
type limiter struct {
	max    int
	window time.Duration
	mu     sync.Mutex
	seen   map[string]*window
}

type window struct {
	start time.Time
	n     int
}

func newLimiter(max int, w time.Duration) *limiter {
	return &limiter{max: max, window: w, seen: map[string]*window{}}
}

func (l *limiter) allow(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.seen[ip]
	return w == nil || now.Sub(w.start) >= l.window || w.n < l.max
}

func (l *limiter) fail(ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.seen) > 10000 { // bounded: forget old windows
		for k, w := range l.seen {
			if now.Sub(w.start) >= l.window {
				delete(l.seen, k)
			}
		}
	}
	w := l.seen[ip]
	if w == nil || now.Sub(w.start) >= l.window {
		w = &window{start: now}
		l.seen[ip] = w
	}
	w.n++
}
