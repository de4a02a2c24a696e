package cli

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/bouncewatch/bouncewatch/alert"
	"github.com/bouncewatch/bouncewatch/dnsbl"
	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/ingest/imapsrc"
	"github.com/bouncewatch/bouncewatch/ingest/lmtp"
	"github.com/bouncewatch/bouncewatch/ingest/logtail"
	"github.com/bouncewatch/bouncewatch/ingest/maildir"
	"github.com/bouncewatch/bouncewatch/ingest/syslog"
)

// serveConfig is bouncewatch.toml. Secrets are never in it: each is named
// by a file (…_file) or an environment variable (…_env).
type serveConfig struct {
	Listen       string   `toml:"listen"`
	Store        string   `toml:"store"`
	Domains      []string `toml:"domains"`
	Relays       []string `toml:"relays"`
	Lang         string   `toml:"lang"`
	TZ           string   `toml:"tz"`
	Sensitivity  float64  `toml:"sensitivity"`
	DashboardURL string   `toml:"dashboard_url"`
	APITokenFile string   `toml:"api_token_file"`
	Log          struct {
		Format string `toml:"format"` // text or json
		Level  string `toml:"level"`  // debug, info, warn, error
	} `toml:"log"`
	Detect struct {
		Interval   time.Duration `toml:"interval"`
		CloseAfter time.Duration `toml:"close_after"`
	} `toml:"detect"`
	Retention struct {
		Raw      time.Duration `toml:"raw"`
		LogLines time.Duration `toml:"log_lines"`
		Bounces  time.Duration `toml:"bounces"`
	} `toml:"retention"`

	Maildir []struct {
		Path string `toml:"path"`
	} `toml:"maildir"`
	IMAP []struct {
		URL          string        `toml:"url"` // imaps://USER@HOST/INBOX[,FOLDER]
		PasswordFile string        `toml:"password_file"`
		PasswordEnv  string        `toml:"password_env"`
		MoveTo       string        `toml:"move_to"`
		NoIdle       bool          `toml:"no_idle"`
		Poll         time.Duration `toml:"poll"`
	} `toml:"imap"`
	LMTP []struct {
		Listen      string `toml:"listen"` // host:port or /path/to/socket
		SocketGroup string `toml:"socket_group"`
	} `toml:"lmtp"`
	Logfile []struct {
		Path string `toml:"path"`
	} `toml:"logfile"`
	Syslog []struct {
		UDP string `toml:"udp"`
		TCP string `toml:"tcp"`
	} `toml:"syslog"`

	Webhook []struct {
		URL        string `toml:"url"`
		URLFile    string `toml:"url_file"`
		URLEnv     string `toml:"url_env"`
		Format     string `toml:"format"` // generic, slack, teams
		SecretFile string `toml:"secret_file"`
		SecretEnv  string `toml:"secret_env"`
	} `toml:"webhook"`
	Email *struct {
		Relay        string   `toml:"relay"`
		Username     string   `toml:"username"`
		PasswordFile string   `toml:"password_file"`
		PasswordEnv  string   `toml:"password_env"`
		From         string   `toml:"from"`
		To           []string `toml:"to"`
		TLS          string   `toml:"tls"`
	} `toml:"email"`
	AlertsPerHour int `toml:"alerts_per_hour"`

	// Policy runs the Postfix policy service inside serve (see
	// 'bouncewatch policy --help').
	Policy *struct {
		Listen           string        `toml:"listen"` // 127.0.0.1:PORT or unix:PATH
		Action           string        `toml:"action"`
		Lang             string        `toml:"lang"`
		Budget           time.Duration `toml:"budget"`
		Stale            time.Duration `toml:"stale"`
		Window           time.Duration `toml:"window"`
		MaxMessages      int           `toml:"max_messages"`
		MaxNewRecipients int           `toml:"max_new_recipients"`
		MaxNetworks      int           `toml:"max_networks"`
		AutoRelease      bool          `toml:"auto_release"`
	} `toml:"policy"`

	// Blocklists checks our outbound IPs (default: the relays' addresses)
	// and domains against DNS blocklists when an incident opens and
	// every day while it is open.
	Blocklists *struct {
		Resolver string        `toml:"resolver"` // host:port; default: /etc/resolv.conf's first
		IPs      []string      `toml:"ips"`
		Every    time.Duration `toml:"every"`
		Zones    []dnsbl.Zone  `toml:"zones"` // default: dnsbl.DefaultZones
	} `toml:"blocklists"`

	Dashboard dashboardConfig `toml:"dashboard"`
}

func loadConfig(path string) (*serveConfig, error) {
	var c serveConfig
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		var keys []string
		for _, k := range und {
			keys = append(keys, k.String())
		}
		return nil, fmt.Errorf("%s: unknown settings: %s", path, strings.Join(keys, ", "))
	}
	return &c, nil
}

// secret reads a secret from a file (its first line) or an environment
// variable, the file first. "" with no error when neither is set.
func secret(file, env string, getenv func(string) string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		line, _, _ := strings.Cut(string(b), "\n")
		if s := strings.TrimSpace(line); s != "" {
			return s, nil
		}
		return "", fmt.Errorf("%s is empty", file)
	}
	if env != "" {
		return strings.TrimSpace(getenv(env)), nil
	}
	return "", nil
}

// apiToken finds the API token: BOUNCEWATCH_API_TOKEN_FILE, then
// BOUNCEWATCH_API_TOKEN, then the configured file; else one is made and
// kept in a file beside the store (mode 0600), whose path is logged —
// never the token itself.
func apiToken(c *serveConfig, dir string, getenv func(string) string, log *slog.Logger) (string, error) {
	if f := getenv("BOUNCEWATCH_API_TOKEN_FILE"); f != "" {
		return secret(f, "", getenv)
	}
	if t := strings.TrimSpace(getenv("BOUNCEWATCH_API_TOKEN")); t != "" {
		return t, nil
	}
	if c.APITokenFile != "" {
		return secret(c.APITokenFile, "", getenv)
	}
	path := filepath.Join(dir, "api-token")
	if t, err := secret(path, "", getenv); err == nil {
		log.Info("API token read from file", "file", path)
		return t, nil
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	t := hex.EncodeToString(b[:])
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(t+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("writing the API token: %w", err)
	}
	log.Info("API token made and written to a file (readable by this user only)", "file", path)
	return t, nil
}

// notifiers builds the webhooks and the email relay, secrets read.
func notifiers(c *serveConfig, getenv func(string) string) ([]alert.Webhook, *alert.Email, error) {
	var hooks []alert.Webhook
	for i, w := range c.Webhook {
		u := w.URL
		if u == "" {
			var err error
			if u, err = secret(w.URLFile, w.URLEnv, getenv); err != nil {
				return nil, nil, fmt.Errorf("webhook %d: %w", i+1, err)
			}
		}
		if u == "" {
			return nil, nil, fmt.Errorf("webhook %d: no URL (url, url_file or url_env)", i+1)
		}
		f, err := alert.ParseFormat(w.Format)
		if err != nil {
			return nil, nil, err
		}
		sec, err := secret(w.SecretFile, w.SecretEnv, getenv)
		if err != nil {
			return nil, nil, fmt.Errorf("webhook %d: %w", i+1, err)
		}
		hooks = append(hooks, alert.Webhook{URL: u, Format: f, Secret: sec})
	}
	var em *alert.Email
	if e := c.Email; e != nil {
		if e.Relay == "" || e.From == "" || len(e.To) == 0 {
			return nil, nil, errors.New("email: relay, from and to are required")
		}
		pw, err := secret(e.PasswordFile, e.PasswordEnv, getenv)
		if err != nil {
			return nil, nil, fmt.Errorf("email: %w", err)
		}
		if pw == "" {
			pw = strings.TrimSpace(getenv("BOUNCEWATCH_SMTP_PASSWORD"))
		}
		em = &alert.Email{Relay: e.Relay, Username: e.Username, Password: pw, From: e.From, To: e.To, TLS: e.TLS}
	}
	return hooks, em, nil
}

// buildSources makes the live sources the configuration names, all
// writing to sink and keeping their cursors in cursors.
func buildSources(c *serveConfig, sink ingest.Sink, cursors ingest.Cursors, getenv func(string) string, log *slog.Logger) ([]ingest.Source, error) {
	var out []ingest.Source
	for _, m := range c.Maildir {
		s, err := maildir.New(maildir.Options{Dir: m.Path, Sink: sink, Cursors: cursors, Logger: log})
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	for _, im := range c.IMAP {
		o, err := imapsrc.ParseURL(im.URL)
		if err != nil {
			return nil, err
		}
		// The password: the configured file or variable, else
		// BOUNCEWATCH_IMAP_PASSWORD_FILE or BOUNCEWATCH_IMAP_PASSWORD.
		pw, err := secret(im.PasswordFile, im.PasswordEnv, getenv)
		if err == nil && pw == "" {
			pw, err = secret(getenv("BOUNCEWATCH_IMAP_PASSWORD_FILE"), "BOUNCEWATCH_IMAP_PASSWORD", getenv)
		}
		if err != nil {
			return nil, fmt.Errorf("imap %s: password: %w", o.Username+"@"+o.Addr, err)
		}
		if pw == "" {
			return nil, fmt.Errorf("imap %s: no password (password_file, password_env, or BOUNCEWATCH_IMAP_PASSWORD[_FILE])", o.Username+"@"+o.Addr)
		}
		o.Password = pw
		o.MoveTo, o.NoIdle, o.Poll = im.MoveTo, im.NoIdle, im.Poll
		o.Sink, o.Cursors, o.Logger = sink, cursors, log
		s, err := imapsrc.New(o)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	for _, l := range c.LMTP {
		s, err := lmtp.New(lmtp.Options{Addr: l.Listen, SocketGroup: l.SocketGroup, Sink: sink, Logger: log})
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	for _, f := range c.Logfile {
		s, err := logtail.New(logtail.Options{Path: f.Path, Sink: sink, Cursors: cursors, Logger: log})
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	for _, sl := range c.Syslog {
		s, err := syslog.New(syslog.Options{UDP: sl.UDP, TCP: sl.TCP, Sink: sink, Logger: log})
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
