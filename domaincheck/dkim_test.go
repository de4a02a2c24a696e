package domaincheck_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"testing"

	"github.com/bouncewatch/bouncewatch/domaincheck"
)

func TestParseDKIMKey(t *testing.T) {
	keys := testKeys()
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// The 1024-bit key as a bare PKCS#1 RSAPublicKey, as some publish it.
	der, err := base64.StdEncoding.DecodeString(keys[1024][len("v=DKIM1; k=rsa; p="):])
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := "p=" + base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PublicKey(pub.(*rsa.PublicKey)))
	tests := []struct {
		name    string
		in      string
		want    domaincheck.DKIMKey
		wantErr bool
	}{
		{name: "2048", in: keys[2048], want: domaincheck.DKIMKey{KeyType: "rsa", Bits: 2048}},
		{name: "1024 testing", in: keys[1024] + "; t=y", want: domaincheck.DKIMKey{KeyType: "rsa", Bits: 1024, Testing: true}},
		{name: "768", in: keys[768], want: domaincheck.DKIMKey{KeyType: "rsa", Bits: 768}},
		{name: "PKCS#1 without v=", in: pkcs1, want: domaincheck.DKIMKey{KeyType: "rsa", Bits: 1024}},
		{name: "revoked", in: "v=DKIM1; k=rsa; p=", want: domaincheck.DKIMKey{KeyType: "rsa", Revoked: true}},
		{name: "ed25519", in: "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(edPub), want: domaincheck.DKIMKey{KeyType: "ed25519", Bits: 256}},
		{name: "key split by spaces", in: keys[2048][:60] + " \t " + keys[2048][60:], want: domaincheck.DKIMKey{KeyType: "rsa", Bits: 2048}},
		{name: "no p", in: "v=DKIM1; k=rsa", wantErr: true},
		{name: "bad base64", in: "v=DKIM1; p=###", wantErr: true},
		{name: "not a key", in: "v=DKIM1; p=" + base64.StdEncoding.EncodeToString([]byte("hello")), wantErr: true},
		{name: "v not first", in: "p=; v=DKIM1", wantErr: true},
		{name: "wrong version", in: "v=DKIM2; p=", wantErr: true},
		{name: "unknown key type", in: "v=DKIM1; k=dsa; p=AAAA", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := domaincheck.ParseDKIMKey(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseDKIMKey(%q) = %+v, want an error", tt.in, k)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDKIMKey: %v", err)
			}
			if *k != tt.want {
				t.Errorf("got %+v, want %+v", *k, tt.want)
			}
		})
	}
}

func FuzzParseDKIMKey(f *testing.F) {
	f.Add("v=DKIM1; k=rsa; p=")
	f.Add(testKeys()[1024])
	f.Add("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := domaincheck.ParseDKIMKey(s)
		if err != nil {
			return
		}
		if k.Revoked != (k.Bits == 0) {
			t.Fatalf("ParseDKIMKey(%q) = %+v: revoked keys and only they have no size", s, k)
		}
	})
}
