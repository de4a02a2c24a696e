package domaincheck

import (
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// CommonSelectors are the DKIM selectors tried when none are given: the
// defaults of common mail servers, hosting panels and providers.
var CommonSelectors = []string{
	"default", "selector1", "selector2", "google", "k1", "k2", "k3",
	"mail", "dkim", "s1", "s2", "smtp", "mx", "key1", "key2",
	"fm1", "fm2", "fm3", "mandrill", "everlytic", "zoho", "protonmail",
	"sig1", "dkim1", "mxvault",
}

// DKIM key sizes (RFC 8301 section 3.2: verifiers must reject RSA keys
// under 1024 bits; signers should use 2048).
const (
	MinRSABits         = 1024
	RecommendedRSABits = 2048
)

// DKIMKey is a parsed DKIM key record (RFC 6376 section 3.6.1).
type DKIMKey struct {
	// KeyType is k= ("rsa" when absent, or "ed25519").
	KeyType string `json:"key_type"`
	// Bits is the RSA modulus size (256 for ed25519); 0 when revoked.
	Bits int `json:"bits"`
	// Revoked is an empty p=: the key was withdrawn.
	Revoked bool `json:"revoked"`
	// Testing is t=y: receivers treat failures as if unsigned.
	Testing bool `json:"testing"`
}

// ParseDKIMKey parses the TXT record of a DKIM selector.
func ParseDKIMKey(txt string) (*DKIMKey, error) {
	tags := map[string]string{}
	for i, part := range strings.Split(txt, ";") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("dkim: %q is not tag=value", strings.TrimSpace(part))
		}
		name = strings.TrimSpace(name)
		if _, dup := tags[name]; dup {
			return nil, fmt.Errorf("dkim: tag %s= appears twice", name)
		}
		if name == "v" && i != 0 {
			return nil, fmt.Errorf("dkim: v= must be the first tag")
		}
		tags[name] = strings.Join(strings.Fields(value), "")
	}
	if v, ok := tags["v"]; ok && v != "DKIM1" {
		return nil, fmt.Errorf("dkim: unsupported version v=%s", v)
	}
	p, ok := tags["p"]
	if !ok {
		return nil, fmt.Errorf("dkim: no p= (public key)")
	}
	k := &DKIMKey{KeyType: "rsa"}
	if kt, ok := tags["k"]; ok {
		k.KeyType = strings.ToLower(kt)
	}
	for _, f := range strings.Split(tags["t"], ":") {
		if f == "y" {
			k.Testing = true
		}
	}
	if p == "" {
		k.Revoked = true
		return k, nil
	}
	der, err := base64.StdEncoding.DecodeString(p)
	if err != nil {
		return nil, fmt.Errorf("dkim: p= is not base64: %w", err)
	}
	switch k.KeyType {
	case "rsa":
		pub, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			// Some publish the bare PKCS#1 key.
			rk, err2 := x509.ParsePKCS1PublicKey(der)
			if err2 != nil {
				return nil, fmt.Errorf("dkim: p= is not an RSA public key: %w", err)
			}
			pub = rk
		}
		rk, ok := pub.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("dkim: k=rsa but p= holds a %T", pub)
		}
		k.Bits = rk.N.BitLen()
	case "ed25519":
		if len(der) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("dkim: ed25519 key of %d bytes, want %d", len(der), ed25519.PublicKeySize)
		}
		k.Bits = 256
	default:
		return nil, fmt.Errorf("dkim: unknown key type k=%s", k.KeyType)
	}
	return k, nil
}

// DKIMResult is what one selector holds.
type DKIMResult struct {
	Selector string   `json:"selector"`
	Name     string   `json:"name"`
	Found    bool     `json:"found"`
	Record   string   `json:"record,omitempty"`
	Key      *DKIMKey `json:"key,omitempty"`
	Problem  string   `json:"problem,omitempty"`
}

// dkimParallel bounds the selector queries in flight.
const dkimParallel = 8

// checkDKIM looks up each selector. With selectors given, every one is
// reported (found or not); with the common list, only those found. A
// domain that sends no mail needs no key.
func (c *checker) checkDKIM(selectors []string, noMail bool) ([]DKIMResult, []string) {
	given := len(selectors) > 0
	if !given {
		selectors = CommonSelectors
	}
	results := make([]DKIMResult, len(selectors))
	errs := make([]error, len(selectors))
	var wg sync.WaitGroup
	sem := make(chan struct{}, dkimParallel)
	for i, sel := range selectors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i], errs[i] = c.dkimSelector(sel)
		}()
	}
	wg.Wait()
	var out []DKIMResult
	for i, r := range results {
		if errs[i] != nil {
			c.dnsFailure(errs[i])
			continue
		}
		if r.Found || given {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Found && !out[j].Found })
	usable := 0
	for _, r := range out {
		switch {
		case !r.Found:
			c.add(Warn, "dkim.selector_missing", tr(
				"No DKIM key at %s. Check the selector name in the DKIM-Signature header (s=) of a message you sent.",
				"%s に DKIM 公開鍵がありません。送信したメールの DKIM-Signature ヘッダーの s= でセレクター名を確認してください。",
				r.Name))
		case r.Problem != "":
			c.add(Error, "dkim.invalid", tr(
				"The DKIM key at %s is unusable: %s. Signatures with this selector fail.",
				"%s の DKIM 公開鍵は使えません: %s。このセレクターの署名は不合格になります。",
				r.Name, r.Problem))
		case r.Key.Revoked:
			c.add(Info, "dkim.revoked", tr(
				"The DKIM key at %s is revoked (empty p=); mail signed with it fails.",
				"%s の DKIM 公開鍵は失効しています (p= が空)。この鍵で署名したメールは不合格になります。",
				r.Name))
		case r.Key.KeyType == "rsa" && r.Key.Bits < MinRSABits:
			c.add(Error, "dkim.key_too_short", tr(
				"The DKIM key at %s has only %d bits; receivers ignore signatures with RSA keys under %d bits (RFC 8301). Generate a %d-bit key at your provider.",
				"%s の DKIM 公開鍵は %d ビットしかなく、%d ビット未満の RSA 鍵の署名は受信側で無視されます (RFC 8301)。メール事業者の管理画面で %d ビットの鍵を作り直してください。",
				r.Name, r.Key.Bits, MinRSABits, RecommendedRSABits))
		case r.Key.KeyType == "rsa" && r.Key.Bits < RecommendedRSABits:
			usable++
			c.add(Warn, "dkim.key_weak", tr(
				"The DKIM key at %s has %d bits: still accepted, but %d bits is recommended (RFC 8301). Rotate to a %d-bit key when you can.",
				"%s の DKIM 公開鍵は %d ビットです。現在は受け付けられますが、推奨は %d ビットです (RFC 8301)。機会を見て %d ビットの鍵に切り替えてください。",
				r.Name, r.Key.Bits, RecommendedRSABits, RecommendedRSABits))
		default:
			usable++
			c.add(OK, "dkim.key", tr(
				"DKIM key at %s: %s, %d bits.",
				"%s の DKIM 公開鍵: %s、%d ビット。",
				r.Name, r.Key.KeyType, r.Key.Bits))
		}
		if r.Found && r.Key != nil && r.Key.Testing {
			c.add(Info, "dkim.testing", tr(
				"The DKIM key at %s is in test mode (t=y): receivers treat failing signatures as absent. Remove t=y once signing works.",
				"%s の DKIM 公開鍵はテストモード (t=y) で、受信側は不合格の署名を「署名なし」として扱います。署名が動作したら t=y を削除してください。",
				r.Name))
		}
	}
	if usable == 0 && !noMail {
		how := tr("the selectors %s were tried", "セレクター %s を試しました", strings.Join(selectors, ", "))
		if given {
			how = tr("the selectors given were checked", "指定されたセレクターを確認しました")
		}
		c.add(Warn, "dkim.none", Text{
			En: fmt.Sprintf("No usable DKIM key found (%s). Without DKIM, DMARC rests on SPF alone, which breaks on forwarding. Turn on DKIM signing at your mail provider and publish the key it gives you; if you already sign, pass the selector with --selector.", how.En),
			Ja: fmt.Sprintf("使える DKIM 公開鍵が見つかりません (%s)。DKIM がないと DMARC は SPF だけに頼ることになり、転送されたメールで不合格になります。メール事業者の管理画面で DKIM 署名を有効にし、表示される公開鍵を DNS に登録してください。すでに署名している場合は --selector でセレクター名を指定してください。", how.Ja),
		})
	}
	if out == nil {
		out = []DKIMResult{}
	}
	return out, selectors
}

func (c *checker) dkimSelector(sel string) (DKIMResult, error) {
	r := DKIMResult{Selector: sel, Name: sel + "._domainkey." + c.domain}
	txts, _, err := c.r.txt(c.ctx, c.server, r.Name)
	if err != nil {
		return r, err
	}
	for _, t := range txts {
		// A key record: v=DKIM1 first, or at least a p= tag.
		if strings.HasPrefix(strings.TrimSpace(t), "v=DKIM1") || strings.Contains(t, "p=") {
			r.Found, r.Record = true, t
			break
		}
	}
	if !r.Found {
		return r, nil
	}
	k, err := ParseDKIMKey(r.Record)
	if err != nil {
		r.Problem = err.Error()
		return r, nil
	}
	r.Key = k
	return r, nil
}
