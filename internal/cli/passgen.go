package cli

import (
	"bufio"
	"context"
	"flag"
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

// maxPassgenCount bounds --count: more than this is a mistake, not a need.
const maxPassgenCount = 1000

func runPassgen(_ context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("passgen", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	o := passgen.DefaultOptions()
	fs.IntVar(&o.Length, "length", passgen.DefaultLength, fmt.Sprintf("characters per password (%d to %d)", passgen.MinLength, passgen.MaxLength))
	noSymbols := fs.Bool("no-symbols", false, "letters and digits only, for systems that refuse symbols")
	fs.BoolVar(&o.AvoidAmbiguous, "no-ambiguous", false, "leave out look-alike characters: 0 O o 1 l I")
	count := fs.Int("count", 1, fmt.Sprintf("number of passwords (1 to %d)", maxPassgenCount))
	lang := fs.String("lang", "", "language of the advice: ja or en (default: from LC_ALL, LC_MESSAGES, LANG)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), passgenHelp)
		fs.PrintDefaults()
	}
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(rest) > 0 {
		fmt.Fprintf(env.Stderr, "bouncewatch passgen: unexpected argument %q\n", rest[0])
		return 2
	}
	o.Symbols = !*noSymbols
	if err := o.Validate(); err != nil {
		fmt.Fprintf(env.Stderr, "bouncewatch passgen: --length: %v\n", err)
		return 2
	}
	if *count < 1 || *count > maxPassgenCount {
		fmt.Fprintf(env.Stderr, "bouncewatch passgen: --count %d out of range (want 1 to %d)\n", *count, maxPassgenCount)
		return 2
	}
	l := advice.LangFromEnv(env.Getenv)
	if *lang != "" {
		if l, err = advice.ParseLang(*lang); err != nil {
			fmt.Fprintf(env.Stderr, "bouncewatch passgen: %v\n", err)
			return 2
		}
	}

	w := bufio.NewWriter(env.Stdout)
	for range *count {
		pw, err := passgen.Generate(o)
		if err != nil {
			fmt.Fprintf(env.Stderr, "bouncewatch passgen: %v\n", err)
			return 1
		}
		w.WriteString(pw)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(env.Stderr, "bouncewatch passgen: writing the password: %v\n", err)
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
