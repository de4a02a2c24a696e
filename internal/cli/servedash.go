package cli

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/web"
)

// dashboardConfig is the [dashboard] table of bouncewatch.toml:
//
//	[dashboard]
//	users = { owner = "$2a$10$…" }   # bcrypt hashes (htpasswd -nbB owner PASSWORD, or Python's bcrypt)
//	tls_cert = "/etc/bouncewatch/cert.pem"
//	tls_key  = "/etc/bouncewatch/key.pem"
//
// The API token logs in as well; the hashes are not secrets but the
// passwords are, and never appear in the config.
type dashboardConfig struct {
	Users   map[string]string `toml:"users"`
	TLSCert string            `toml:"tls_cert"`
	TLSKey  string            `toml:"tls_key"`
}

// dashboard puts the dashboard in front of the API handler, serves TLS
// when certificate files are given, and warns when the listener leaves
// loopback in clear text.
func dashboard(s *service, apiHandler http.Handler, lang advice.Lang, loc *time.Location, log *slog.Logger) (http.Handler, error) {
	c := s.cfg.Dashboard
	for name, hash := range c.Users {
		if !strings.HasPrefix(hash, "$2") {
			return nil, fmt.Errorf("dashboard user %q: the password must be given as a bcrypt hash ($2a$…, $2b$…)", name)
		}
	}
	tlsOn := c.TLSCert != "" || c.TLSKey != ""
	if tlsOn {
		cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("dashboard TLS: %w", err)
		}
		s.ln = tls.NewListener(s.ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	} else if !loopbackAddr(s.ln.Addr()) {
		log.Warn("the dashboard and API listen beyond loopback without TLS: passwords, the token and the session cross the network in clear text; set [dashboard] tls_cert and tls_key, or listen on 127.0.0.1 behind a TLS proxy",
			"listen", s.ln.Addr().String())
	}
	w, err := web.New(web.Options{Store: s.st, Report: s.det.Report, Attribute: s.det.Attribution, Sources: s.health, Token: s.token, Users: c.Users,
		Lang: lang, Location: loc, TLS: tlsOn, API: apiHandler, Domains: s.cfg.Domains, Log: log.With("part", "dashboard")})
	if err != nil {
		return nil, err
	}
	s.stopWeb = w.Stop
	return w.Handler(), nil
}

func loopbackAddr(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}
