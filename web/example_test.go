package web_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"path/filepath"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/api"
	"github.com/bouncewatch/bouncewatch/store"
	"github.com/bouncewatch/bouncewatch/web"
)

// The dashboard in front of the JSON API, on one listener, as serve
// mounts it. Log in with the token (or a user of Options.Users).
func ExampleNew() {
	dir, _ := os.MkdirTemp("", "bw-example-")
	defer os.RemoveAll(dir)
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(dir, "bw.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	token := "a-long-random-token"
	a := &api.Server{Store: st, Token: token}
	d, err := web.New(web.Options{Store: st, Token: token, Lang: advice.Japanese, API: a.Handler()})
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: "127.0.0.1:8025", Handler: d.Handler()}
	srv.RegisterOnShutdown(d.Stop)
	_ = srv // srv.ListenAndServe() serves it
}
