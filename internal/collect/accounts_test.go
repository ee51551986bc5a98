package collect

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/ingest/twarc2"
)

// TestCollectorsFailWhenNoAccountFound: each collector returns ErrNoAccounts, naming the
// accounts, when the platform finds none of them, and lists them in Missing — rather than
// finishing "successfully" having collected nothing.
func TestCollectorsFailWhenNoAccountFound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/2/users/by":
			fmt.Fprint(w, `{"errors":[{"value":"gone1","detail":"Could not find user with usernames: [gone1]."},{"value":"gone2","detail":"User has been suspended: [gone2]."}]}`)
		case "/xrpc/app.bsky.actor.getProfiles":
			fmt.Fprint(w, `{"profiles":[]}`)
		default: // Mastodon's lookup
			w.WriteHeader(404)
			fmt.Fprint(w, `{"error":"Record not found"}`)
		}
	}))
	defer srv.Close()
	var waits []time.Duration
	for name, run := range map[string]func(*Sink) ([]string, error){
		"x": func(s *Sink) ([]string, error) {
			c := &X{Client: testClient(srv, &waits), Sink: s, Twarc2: twarc2.New()}
			err := c.Run(context.Background(), []string{"gone1", "gone2"})
			return c.Missing, err
		},
		"bluesky": func(s *Sink) ([]string, error) {
			c := &Bluesky{Client: testClient(srv, &waits), Sink: s}
			err := c.Run(context.Background(), []string{"gone1", "gone2"})
			return c.Missing, err
		},
		"mastodon": func(s *Sink) ([]string, error) {
			c := &Mastodon{Client: testClient(srv, &waits), Sink: s}
			err := c.Run(context.Background(), []string{"gone1", "@gone2"})
			return c.Missing, err
		},
	} {
		missing, err := run(&Sink{Store: newStore(t)})
		if !errors.Is(err, ErrNoAccounts) || !strings.Contains(err.Error(), "gone2") {
			t.Errorf("%s: err = %v; want ErrNoAccounts naming the accounts", name, err)
		}
		if strings.Join(missing, ",") != "gone1,gone2" {
			t.Errorf("%s: Missing = %q; want gone1,gone2", name, missing)
		}
	}
}
