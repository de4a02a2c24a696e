// Package advice explains each bounce reason in plain Japanese and English,
// for the owner of a small business rather than for a mail administrator:
// what happened, what it means, and what the sender should do next.
//
// The texts are data: one read-only table per language, keyed by
// [reason.Reason]. Every reason in [reason.All] has an entry in both.
package advice

import (
	"fmt"
	"strings"

	"github.com/bouncewatch/bouncewatch/reason"
)

// Lang is the language of the texts.
type Lang string

// The languages the texts are written in.
const (
	Japanese Lang = "ja"
	English  Lang = "en"
)

// ParseLang reads a language name or a POSIX locale: "ja", "ja_JP.UTF-8",
// "ja-JP", "en", "en_US.UTF-8", "C", "POSIX", "C.UTF-8" and the like. Case
// and surrounding spaces do not matter. Any other language is an error.
func ParseLang(s string) (Lang, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexByte(v, '@'); i >= 0 { // modifier: ja_JP.UTF-8@cjknarrow
		v = v[:i]
	}
	if i := strings.IndexByte(v, '.'); i >= 0 { // codeset: ja_JP.UTF-8
		v = v[:i]
	}
	if i := strings.IndexAny(v, "_-"); i >= 0 { // territory: ja_JP, ja-JP
		v = v[:i]
	}
	switch v {
	case "ja", "jp", "japanese":
		return Japanese, nil
	case "en", "english", "c", "posix":
		return English, nil
	}
	return "", fmt.Errorf("unknown language %q (want ja or en)", s)
}

// LangFromEnv picks the language from the locale variables LC_ALL,
// LC_MESSAGES and LANG: the first one that is set decides, as in POSIX.
// A Japanese locale (ja, ja_JP.UTF-8, ...) gives Japanese; anything else,
// or nothing set, gives English. A nil getenv counts as nothing set.
func LangFromEnv(getenv func(string) string) Lang {
	if getenv == nil {
		return English
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(k)
		if v == "" {
			continue
		}
		if l, err := ParseLang(v); err == nil && l == Japanese {
			return Japanese
		}
		return English
	}
	return English
}

// Entry explains one reason in one language.
type Entry struct {
	Reason  reason.Reason `json:"reason"`
	Title   string        `json:"title"`   // short name, e.g. "Recipient address does not exist"
	Summary string        `json:"summary"` // one line, for tables: what happened, in plain words
	Meaning string        `json:"meaning"` // a few sentences for a non-expert
	Action  string        `json:"action"`  // what the sender should do
	Hard    bool          `json:"hard"`    // resending unchanged can never succeed
}

// text is one reason's texts in one language.
type text struct {
	title, summary, meaning, action string
}

// table returns the texts for l; any language but Japanese gets English.
func table(l Lang) map[reason.Reason]text {
	if l == Japanese {
		return japanese
	}
	return english
}

// hard reports whether resending unchanged can never succeed for r: the
// address or the domain does not exist, has moved, or accepts no mail.
// It agrees with [reason.HardBounce] for a permanent (5xx) status.
func hard(r reason.Reason) bool {
	switch r {
	case reason.UserUnknown, reason.HostUnknown, reason.HasMoved, reason.NotAccept:
		return true
	}
	return false
}

// For returns the explanation of r in language l (English for any language
// but Japanese). An unknown reason gets the texts of [reason.Undefined], with
// Reason still set to r.
func For(r reason.Reason, l Lang) Entry {
	tab := table(l)
	t, ok := tab[r]
	if !ok {
		t = tab[reason.Undefined]
	}
	return Entry{
		Reason:  r,
		Title:   t.title,
		Summary: t.summary,
		Meaning: t.meaning,
		Action:  t.action,
		Hard:    ok && hard(r),
	}
}

// All returns the explanation of every reason, in the order of [reason.All].
func All(l Lang) []Entry {
	out := make([]Entry, 0, len(reason.All))
	for _, r := range reason.All {
		out = append(out, For(r, l))
	}
	return out
}
