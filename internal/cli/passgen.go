package cli

import (
	"bufio"
	"context"
	"fmt"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/passgen"
)

const passgenHelp = `Usage: bouncewatch passgen [--length N] [--no-symbols] [--no-ambiguous] [--count N] [--lang ja|en]

Makes a new random password, for example for a mail account that was taken
over. The password comes from the operating system's secure random source
(crypto/rand) and has upper and lower case letters, digits and symbols, at
least one of each. It is printed on standard output, one per line, and
nowhere else; its strength in bits and what to do with it go to standard
error.

The symbols are ` + "`!#%*+-/:=?@_`" + `: they type the same on Japanese and US
keyboards and need no quoting in mail clients or control panels.
--no-ambiguous leaves out 0 O o 1 l I, which are easily misread when the
password is read aloud or copied from paper.

Examples:
  bouncewatch passgen
  bouncewatch passgen --length 32
  bouncewatch passgen --no-symbols --no-ambiguous   # to type on a phone or read out
  bouncewatch passgen --count 5                     # one each for five accounts

Options:
`

const passgenHelpJa = `使い方: bouncewatch passgen [--length N] [--no-symbols] [--no-ambiguous] [--count N] [--lang ja|en]

新しいランダムなパスワードを作ります。乗っ取られたメールアカウントのパスワード
変更などに使います。パスワードは OS の安全な乱数（crypto/rand）から作り、英大文字・
英小文字・数字・記号をそれぞれ 1 文字以上含みます。標準出力に 1 行に 1 つ書き出し、
ほかには書きません。強さ（ビット数）とその後の手順は標準エラーに出します。

記号は ` + "`!#%*+-/:=?@_`" + ` です。日本語と英語のキーボードで同じ位置にあり、
メールソフトや管理画面で引用符も要りません。

--no-ambiguous を付けると、読み違えやすい 0 O o 1 l I を使いません。口頭で伝えたり
紙から書き写したりするときに便利です。

例:
  bouncewatch passgen
  bouncewatch passgen --length 32
  bouncewatch passgen --no-symbols --no-ambiguous   # スマートフォンで入力する、読み上げる
  bouncewatch passgen --count 5                     # 5 つのアカウントに 1 つずつ

オプション:
`

var passgenFlagsJa = map[string]string{
	"length":       fmt.Sprintf("パスワード 1 つの文字数（%d〜%d）", passgen.MinLength, passgen.MaxLength),
	"no-symbols":   "英字と数字だけにする（記号を受け付けないシステム向け）",
	"no-ambiguous": "見間違えやすい文字を使わない: 0 O o 1 l I",
	"count":        fmt.Sprintf("作る数（1〜%d）", maxPassgenCount),
	"lang":         "手順の言語: ja か en（既定: LC_ALL、LC_MESSAGES、LANG から）",
}

var (
	msgPassLength = msg{"--length: %v", "--length: %v"}
	msgPassCount  = msg{"--count %d out of range (want 1 to %d)", "--count %d は範囲外です（1〜%d）"}
	msgPassWrite  = msg{"writing the password: %v", "パスワードを書き出せませんでした: %v"}
)

// maxPassgenCount bounds --count: more than this is a mistake, not a need.
const maxPassgenCount = 1000

func runPassgen(_ context.Context, args []string, env Env) int {
	ml := langOf(args, env.Getenv)
	fs := newFlagSet("passgen")
	o := passgen.DefaultOptions()
	fs.IntVar(&o.Length, "length", passgen.DefaultLength, fmt.Sprintf("characters per password (%d to %d)", passgen.MinLength, passgen.MaxLength))
	noSymbols := fs.Bool("no-symbols", false, "letters and digits only, for systems that refuse symbols")
	fs.BoolVar(&o.AvoidAmbiguous, "no-ambiguous", false, "leave out look-alike characters: 0 O o 1 l I")
	count := fs.Int("count", 1, fmt.Sprintf("number of passwords (1 to %d)", maxPassgenCount))
	lang := fs.String("lang", "", "language of the advice: ja or en (default: from LC_ALL, LC_MESSAGES, LANG)")
	help := func() {
		fmt.Fprint(env.Stderr, helpText(ml, passgenHelp, passgenHelpJa))
		printOptions(env.Stderr, fs, ml, passgenFlagsJa)
	}
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return flagFail(env.Stderr, "passgen", ml, err, help)
	}
	if len(rest) > 0 {
		say(env.Stderr, "passgen", ml, msgUnexpectedArg, rest[0])
		return 2
	}
	o.Symbols = !*noSymbols
	if err := o.Validate(); err != nil {
		say(env.Stderr, "passgen", ml, msgPassLength, err)
		return 2
	}
	if *count < 1 || *count > maxPassgenCount {
		say(env.Stderr, "passgen", ml, msgPassCount, *count, maxPassgenCount)
		return 2
	}
	l := advice.LangFromEnv(env.Getenv)
	if *lang != "" {
		if l, err = advice.ParseLang(*lang); err != nil {
			say(env.Stderr, "passgen", ml, msgPlain, err)
			return 2
		}
	}

	w := bufio.NewWriter(env.Stdout)
	for range *count {
		pw, err := passgen.Generate(o)
		if err != nil {
			say(env.Stderr, "passgen", l, msgPlain, err)
			return 1
		}
		w.WriteString(pw)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		say(env.Stderr, "passgen", l, msgPassWrite, err)
		return 1
	}
	fmt.Fprintln(env.Stderr, passgenAdvice(l, passgen.Entropy(o), *count))
	return 0
}

// passgenAdvice is the line on standard error after the passwords.
func passgenAdvice(l advice.Lang, bits float64, count int) string {
	if l == advice.Japanese {
		each := ""
		if count > 1 {
			each = "1つあたり"
		}
		return fmt.Sprintf("強度: %s%.0fビット。パスワード管理ソフトに保存し、このアカウントを使うすべてのパソコン・スマートフォン・メールソフトに設定してください。", each, bits)
	}
	if count > 1 {
		return fmt.Sprintf("Strength: %.0f bits each. Store each in a password manager, and set it on every PC, phone and mail client that uses its account.", bits)
	}
	return fmt.Sprintf("Strength: %.0f bits. Store it in a password manager, and set it on every PC, phone and mail client that uses the account.", bits)
}
