package cli

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/store"
)

// TestImportStoresServeDigests: import stores each message with the
// digest serve's detector makes for the same configuration — serve's
// flags' defaults, or the file given with --config — so that serve's
// first start reads digests instead of decoding every message.
func TestImportStoresServeDigests(t *testing.T) {
	keys := func(t *testing.T, dsn string, c *serveConfig) (messages, matching int) {
		t.Helper()
		ctx := context.Background()
		st, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		acfg, err := analysisConfig(ctx, c, func(string) string { return "" }, st)
		if err != nil {
			t.Fatal(err)
		}
		key := diagnose.New(acfg).DigestKey()
		if err := st.DB().QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&messages); err != nil {
			t.Fatal(err)
		}
		if err := st.DB().QueryRow(`SELECT COUNT(*) FROM digests WHERE key = ? AND decoder = ?`, key, store.DecoderRevision).Scan(&matching); err != nil {
			t.Fatal(err)
		}
		return messages, matching
	}
	t.Run("flags", func(t *testing.T) {
		dsn := "sqlite:" + filepath.Join(t.TempDir(), "bw.db")
		if _, errOut, code := runCLI(t, "import", "--store", dsn, "--mail", "../../examples", "--domain", "example.jp"); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		// serve --domain example.jp: the domain given again, and stored.
		n, k := keys(t, dsn, &serveConfig{Domains: []string{"Example.JP"}})
		if n != 7 || k != n {
			t.Errorf("%d messages, %d with serve's digest", n, k)
		}
		// Another configuration's serve would make them again.
		if _, k := keys(t, dsn, &serveConfig{Domains: []string{"example.jp"}, TZ: "America/New_York"}); k != 0 {
			t.Errorf("%d digests taken for another time zone's", k)
		}
	})
	t.Run("config", func(t *testing.T) {
		dir := t.TempDir()
		dsn := "sqlite:" + filepath.Join(dir, "bw.db")
		cfg := filepath.Join(dir, "bouncewatch.toml")
		if err := os.WriteFile(cfg, []byte("store = \""+dsn+"\"\ntz = \"Asia/Tokyo\"\ndomains = [\"example.jp\"]\nrelays = [\"mail.example.jp\"]\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, errOut, code := runCLI(t, "import", "--config", cfg, "--mail", "../../examples"); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		c, err := loadConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if n, k := keys(t, dsn, c); n != 7 || k != n {
			t.Errorf("%d messages, %d with the digest of serve --config", n, k)
		}
	})
}
