package web

import (
	"strconv"
	"strings"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/bounce"
)

// attribView is "was this sent by us?" for one bounce, in the reader's
// language: the verdict in plain words, then each item's sentence with
// its weight; the codes are shown behind the details toggle.
type attribView struct {
	Title, Verdict, Class, Note string
	Verdict0                    attrib.Verdict
	Score                       string
	Items                       []attribItem
	SASLUser, ClientIP, AuthVia string
	LogFrom, EntryClient        string
	Fake                        []attribItem
	// Words of the section.
	Weight, Code, SentenceH, DetailsH, NoItems, FakeH string
}

type attribItem struct {
	Text, Code, Weight string
	Ours, Against      bool
}

// attribution judges the message behind a bounce through the detector's
// index (Options.Attribute): the raw message decoded again when kept,
// else the stored facts.
func (s *Server) attribution(raw []byte, stored *bounce.Result, l advice.Lang) *attribView {
	if s.o.Attribute == nil {
		return nil
	}
	res := stored
	if len(raw) > 0 {
		if r, err := bounce.DecodeBytes(raw); r != nil && err == nil {
			res = r
		}
	}
	if res == nil {
		return nil
	}
	a := s.o.Attribute(res)
	if a == nil {
		return nil
	}
	return newAttribView(a, l)
}

func newAttribView(a *attrib.Attribution, l advice.Lang) *attribView {
	ja := l == advice.Japanese
	v := &attribView{Verdict0: a.Verdict, Score: weight(a.Score), SASLUser: a.SASLUser, ClientIP: a.ClientIP,
		AuthVia: a.AuthVia, LogFrom: a.LogFrom, EntryClient: a.EntryClient}
	pick := func(en, jp string) string {
		if ja {
			return jp
		}
		return en
	}
	v.Title = pick("Was this sent by us?", "当社から送られたメールか")
	v.Weight, v.Code = pick("weight", "重み"), pick("code", "コード")
	v.SentenceH, v.DetailsH = pick("Why", "根拠"), pick("Technical details", "技術的な詳細")
	v.NoItems = pick("Nothing to weigh.", "判断材料がありません。")
	v.FakeH = pick("This notice looks like phishing posing as a bounce", "このメールはバウンスを装ったフィッシングの疑いがあります")
	switch a.Verdict {
	case attrib.Ours:
		v.Class = "ours"
		v.Verdict = pick("Yes: this message was most likely sent by us (our server or our account).",
			"はい: このメールは当社（当社のサーバーまたはアカウント）から送られた可能性が高いです。")
		v.Note = pick("If nobody here sent it, the account may be hijacked.",
			"社内の誰も送っていないなら、アカウントが乗っ取られている可能性があります。")
	case attrib.NotOurs:
		v.Class = "notours"
		v.Verdict = pick("No: this message was most likely not sent by us; someone used our address (backscatter).",
			"いいえ: このメールは当社から送られていない可能性が高く、第三者が当社のアドレスを詐称しています（バックスキャッタ）。")
	default:
		v.Class = "unknown"
		v.Verdict = pick("Unknown: the evidence does not decide.", "不明: 判断できるだけの材料がありません。")
	}
	conv := func(it attrib.Item) attribItem {
		t := pick(it.En, it.Ja)
		if t == "" {
			t = it.Code
		}
		return attribItem{Text: t, Code: it.Code, Weight: weight(it.Weight), Ours: it.Weight > 0, Against: it.Weight < 0}
	}
	for _, it := range a.Items {
		v.Items = append(v.Items, conv(it))
	}
	if a.Fake != nil {
		for _, it := range a.Fake.Reasons {
			v.Fake = append(v.Fake, conv(it))
		}
	}
	return v
}

// weight writes a weight with its sign: "+10", "-3", "+0.5".
func weight(w float64) string {
	s := strconv.FormatFloat(w, 'f', -1, 64)
	if w > 0 {
		s = "+" + s
	}
	return strings.Replace(s, "-", "−", 1)
}
