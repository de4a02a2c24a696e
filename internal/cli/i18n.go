package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/internal/termtext"
)

// msg is one message of the command line in English and Japanese. The
// catalogue below is read only.
type msg struct{ en, ja string }

// in returns the message in l.
func (m msg) in(l advice.Lang) string {
	if l == advice.Japanese && m.ja != "" {
		return m.ja
	}
	return m.en
}

// Messages of the commands (usage and error lines); the help texts are
// beside each command.
var (
	msgPlain          = msg{"%v", "%v"}
	msgWarning        = msg{"warning: %s", "警告: %s"}
	msgUnknownCommand = msg{"unknown command %q", "%q というコマンドはありません"}
	msgSeeHelp        = msg{"Run 'bouncewatch %s --help' for its options and examples.", "オプションと例は 'bouncewatch %s --help' で表示されます。"}
	msgSeeMainHelp    = msg{"Run 'bouncewatch <command> --help' for a command's options and examples.", "各コマンドのオプションと例は 'bouncewatch <コマンド> --help' で表示されます。"}
	msgUnexpectedArg  = msg{"unexpected argument %q", "余分な引数 %q があります"}
	msgFlagUndefined  = msg{"unknown option %s", "%s というオプションはありません"}
	msgFlagNeedsValue = msg{"option %s needs a value", "オプション %s には値が必要です"}
	msgFlagBadValue   = msg{"invalid value %s for option %s", "オプション %[2]s の値 %[1]s は正しくありません"}

	msgNoMail        = msg{"no bounces given (--mail PATH, or - for standard input)", "バウンスが指定されていません（--mail パス、標準入力なら -）"}
	msgBadFormat     = msg{"--format must be text, json or html, not %q", "--format は text、json、html のいずれかです（%q は使えません）"}
	msgSinceAfter    = msg{"--since (%s) is later than --until (%s): nothing lies between them", "--since（%s）が --until（%s）より後になっています。その間には何もありません"}
	msgNoSuchPath    = msg{"%s %s: no such file or directory", "%s %s: そのようなファイルやディレクトリはありません"}
	msgNoMatch       = msg{"%s %s: no file matches this pattern", "%s %s: このパターンに一致するファイルはありません"}
	msgBadPattern    = msg{"%s %s: malformed pattern", "%s %s: パターンの書き方が正しくありません"}
	msgUnreadable    = msg{"%s %s: cannot be read: %v", "%s %s: 読み込めません: %v"}
	msgLogAsMail     = msg{"--mail %s looks like a mail server's log, not mail (its lines start %q); give it with --sendlog", "--mail %s はメールではなくメールサーバーのログのようです（行の始まり: %q）。--sendlog で指定してください"}
	msgBinaryLog     = msg{"--sendlog %s is not a mail log: %s of its first %s are binary, not text", "--sendlog %s はメールのログではありません: 先頭 %[3]s のうち %[2]s がテキストではないバイナリです"}
	msgBinaryJournal = msg{"; a systemd journal file? export it with: journalctl -o short-iso -u postfix > mail.log", "。systemd のジャーナルファイルなら、journalctl -o short-iso -u postfix > mail.log で書き出してください"}
	msgBinaryPacked  = msg{"; compressed (%s)? decompress it first", "。圧縮ファイル（%s）なら、先に展開してください"}
	msgWritingReport = msg{"writing the report: %v", "レポートを書き出せませんでした: %v"}
	msgSummary       = msg{"%d messages (%d bounces, %d failed), %d log lines: %s", "メッセージ %d 件（バウンス %d 件、読めなかったもの %d 件）、ログ %d 行: %s"}
	msgNothing       = msg{"nothing to judge: no bounce among what was read (%s)", "判定できるものがありません: 読み込んだ中にバウンスがありません（%s）"}
	msgLiveCheck     = msg{"Live check of the domain's sender authentication (SPF, DKIM, DMARC)", "ドメインの送信認証（SPF・DKIM・DMARC）のライブ確認"}
	msgNoLogsInDir   = msg{"--sendlog %s is a directory without mail logs (mail.log, maillog, exim mainlog, *.csv)", "--sendlog %s はメールのログ（mail.log、maillog、exim の mainlog、*.csv）を含まないディレクトリです"}
	msgQuotePattern  = msg{" (if the shell expanded a pattern given to --sendlog, quote it: --sendlog '/var/log/mail.log*')", "（--sendlog に指定したパターンをシェルが展開した場合は、引用符で囲んでください: --sendlog '/var/log/mail.log*'）"}
	msgSkipped       = msg{"skipped: %s", "読み飛ばしました: %s"}
	msgProgressLog   = msg{"send log: %d events (%.0f/s)", "送信ログ: %d 件（%.0f 件/秒）"}
	msgProgressMail  = msg{"mail: %d messages, %d bounces, %d failed, %.1f MB (%.0f msgs/s)", "メール: %d 件、バウンス %d 件、読めないもの %d 件、%.1f MB（%.0f 件/秒）"}
	msgCheckingDNS   = msg{"checking %s: %v", "%s を確認できませんでした: %v"}
)

// langOf picks the language of the command line's own messages before the
// flags are parsed (a usage error or --help may come first): --lang in
// args, else the locale (LC_ALL, LC_MESSAGES, LANG).
func langOf(args []string, getenv func(string) string) advice.Lang {
	for i, a := range args {
		if a == "--" {
			break
		}
		k, v, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || k != "lang" {
			continue
		}
		if !hasValue && i+1 < len(args) {
			v = args[i+1]
		}
		if l, err := advice.ParseLang(v); err == nil {
			return l
		}
	}
	return advice.LangFromEnv(getenv)
}

// say writes "bouncewatch CMD: message" on w, the message cleaned of
// terminal controls (file names and errors come from outside).
func say(w io.Writer, cmd string, l advice.Lang, m msg, a ...any) {
	prefix := "bouncewatch"
	if cmd != "" {
		prefix += " " + cmd
	}
	fmt.Fprintf(w, "%s: %s\n", prefix, termtext.Clean(fmt.Sprintf(m.in(l), a...)))
}

// flagFail handles an error of parsing flags: --help prints help and
// gives 0; any other error is said in l (the flag package says it in
// English only) with a pointer to --help, and gives 2.
func flagFail(w io.Writer, cmd string, l advice.Lang, err error, help func()) int {
	if errors.Is(err, flag.ErrHelp) {
		help()
		return 0
	}
	say(w, cmd, l, flagMessage(err), flagArgs(err)...)
	fmt.Fprintln(w, fmt.Sprintf(msgSeeHelp.in(l), cmd))
	return 2
}

// flagMessage and flagArgs translate the flag package's errors
// ("flag provided but not defined: -x", "flag needs an argument: -x",
// "invalid value "v" for flag -x: …").
func flagMessage(err error) msg {
	s := err.Error()
	switch {
	case strings.HasPrefix(s, "flag provided but not defined: "):
		return msgFlagUndefined
	case strings.HasPrefix(s, "flag needs an argument: "):
		return msgFlagNeedsValue
	case strings.HasPrefix(s, "invalid value ") || strings.HasPrefix(s, "invalid boolean value "):
		return msgFlagBadValue
	}
	return msgPlain
}

func flagArgs(err error) []any {
	s := err.Error()
	for _, p := range []string{"flag provided but not defined: ", "flag needs an argument: "} {
		if strings.HasPrefix(s, p) {
			return []any{strings.TrimPrefix(s, p)}
		}
	}
	for _, p := range []string{"invalid value ", "invalid boolean value "} {
		if strings.HasPrefix(s, p) {
			rest := strings.TrimPrefix(s, p)
			if i := strings.LastIndex(rest, " for flag "); i >= 0 {
				name := rest[i+len(" for flag "):]
				if j := strings.IndexByte(name, ':'); j >= 0 {
					name = name[:j]
				}
				return []any{rest[:i], name}
			}
		}
	}
	return []any{s}
}

// newFlagSet returns a flag set that prints nothing itself: help and
// errors go through flagFail, in the user's language.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// printOptions lists the flags of fs as flag.PrintDefaults does, with the
// descriptions in l: ja gives the Japanese one of each flag by name (the
// flag's own usage string is the English one).
func printOptions(w io.Writer, fs *flag.FlagSet, l advice.Lang, ja map[string]string) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		if l == advice.Japanese && ja[f.Name] != "" {
			usage = ja[f.Name]
		}
		line := "  -" + f.Name
		if name != "" {
			line += " " + name
		}
		if len(line) <= 4 {
			line += "\t"
		} else {
			line += "\n    \t"
		}
		line += strings.ReplaceAll(usage, "\n", "\n    \t")
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			if l == advice.Japanese {
				line += fmt.Sprintf("（既定値 %s）", f.DefValue)
			} else {
				line += fmt.Sprintf(" (default %s)", f.DefValue)
			}
		}
		fmt.Fprintln(w, line)
	})
}

// helpText picks a command's help in l.
func helpText(l advice.Lang, en, ja string) string {
	if l == advice.Japanese {
		return ja
	}
	return en
}
