package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/internal/termtext"
)

const reasonsHelp = `Usage: bouncewatch reasons [--lang ja|en] [--json]

Prints every bounce reason that decode reports: what it means, in plain
words, whether sending again can succeed, and what the sender should do.

Options:
`

const reasonsHelpJa = `使い方: bouncewatch reasons [--lang ja|en] [--json]

decode が報告するバウンスの理由ごとに、意味をわかりやすく説明し、再送して届く
可能性があるか、送信者がすべきことを示します。

オプション:
`

var reasonsFlagsJa = map[string]string{
	"lang": "言語: ja か en（既定: LC_ALL、LC_MESSAGES、LANG から）",
	"json": "表を JSON の配列で書き出す",
}

func runReasons(_ context.Context, args []string, env Env) int {
	ml := langOf(args, env.Getenv)
	fs := newFlagSet("reasons")
	lang := fs.String("lang", "", "language: ja or en (default: from LC_ALL, LC_MESSAGES, LANG)")
	asJSON := fs.Bool("json", false, "write the table as a JSON array")
	help := func() {
		fmt.Fprint(env.Stderr, helpText(ml, reasonsHelp, reasonsHelpJa))
		printOptions(env.Stderr, fs, ml, reasonsFlagsJa)
	}
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return flagFail(env.Stderr, "reasons", ml, err, help)
	}
	if len(rest) > 0 {
		say(env.Stderr, "reasons", ml, msgUnexpectedArg, rest[0])
		return 2
	}
	l := advice.LangFromEnv(env.Getenv)
	if *lang != "" {
		if l, err = advice.ParseLang(*lang); err != nil {
			say(env.Stderr, "reasons", ml, msgPlain, err)
			return 2
		}
	}
	entries := advice.All(l)
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(entries); err != nil {
			say(env.Stderr, "reasons", l, msgPlain, err)
			return 1
		}
		return 0
	}
	writeReasons(env.Stdout, entries, l)
	return 0
}

// writeReasons prints the reasons as a table — reason, whether sending
// again can succeed, what it means — in columns aligned by display width
// (a Japanese character takes two), each row followed by the explanation
// and what to do.
func writeReasons(w io.Writer, entries []advice.Entry, l advice.Lang) {
	head := [3]string{"REASON", "RESEND", "WHAT HAPPENED"}
	hard, soft := "never delivered", "may be delivered"
	if l == advice.Japanese {
		head = [3]string{"理由", "再送", "内容"}
		hard, soft = "再送しても届かない", "状況が変われば届く"
	}
	rows := make([][3]string, 0, len(entries)+1)
	rows = append(rows, head)
	for _, e := range entries {
		r := [3]string{string(e.Reason), soft, e.Title}
		if e.Hard {
			r[1] = hard
		}
		rows = append(rows, r)
	}
	var width [2]int
	for _, r := range rows {
		width[0] = max(width[0], termtext.Width(r[0]))
		width[1] = max(width[1], termtext.Width(r[1]))
	}
	for i, r := range rows {
		fmt.Fprintf(w, "%s  %s  %s\n", termtext.Pad(r[0], width[0]), termtext.Pad(r[1], width[1]), r[2])
		if i == 0 {
			continue
		}
		e := entries[i-1]
		fmt.Fprintf(w, "    %s\n    %s\n\n", e.Meaning, e.Action)
	}
}
