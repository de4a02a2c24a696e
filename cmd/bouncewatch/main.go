// Command bouncewatch turns a flood of MAILER-DAEMON messages into facts,
// explanations and a verdict. Run "bouncewatch help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/bouncewatch/bouncewatch/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], cli.Env{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
	})
	stop()
	os.Exit(code)
}
