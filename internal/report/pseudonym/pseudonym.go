package pseudonym

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/echotrace/echotrace/internal/store"
)

// DocumentName is the study document holding the key.
const DocumentName = "pseudonym_key"

// KeySize is the length of a key in bytes.
const KeySize = 32

// Prefix starts every pseudonym.
const Prefix = "acct_"

// keyDoc is the stored form of the key.
type keyDoc struct {
	Key     string    `json:"key"` // standard base64
	Created time.Time `json:"created"`
}

// Key returns the study's pseudonym key, creating it from random (crypto/rand in production)
// and storing it on first use. now stamps a newly created key.
func Key(ctx context.Context, docs store.ResultStore, random io.Reader, now time.Time) ([]byte, error) {
	body, _, err := docs.Document(ctx, DocumentName)
	switch {
	case err == nil:
		var d keyDoc
		if err := json.Unmarshal(body, &d); err != nil {
			return nil, fmt.Errorf("read %s document: %w", DocumentName, err)
		}
		k, err := base64.StdEncoding.DecodeString(d.Key)
		if err != nil || len(k) != KeySize {
			return nil, fmt.Errorf("read %s document: key is not %d base64 bytes", DocumentName, KeySize)
		}
		return k, nil
	case errors.Is(err, store.ErrNotFound):
	default:
		return nil, fmt.Errorf("read %s document: %w", DocumentName, err)
	}
	k := make([]byte, KeySize)
	if _, err := io.ReadFull(random, k); err != nil {
		return nil, fmt.Errorf("create pseudonym key: %w", err)
	}
	body, err = json.Marshal(keyDoc{Key: base64.StdEncoding.EncodeToString(k), Created: now.UTC()})
	if err != nil {
		return nil, err
	}
	if err := docs.PutDocument(ctx, DocumentName, body); err != nil {
		return nil, fmt.Errorf("store pseudonym key: %w", err)
	}
	return k, nil
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Mapper pseudonymises accounts with one key. Accounts it is told are on the watchlist
// (Watch) keep their identity. The zero Mapper is not usable; call New.
type Mapper struct {
	key     []byte
	watchID map[string]bool   // platform \x00 id
	watchH  map[string]bool   // platform \x00 lower(handle)
	handles map[string]string // platform \x00 lower(handle) -> id, for mentions
	reveal  bool
}

// New returns a Mapper with key. With reveal set it changes nothing (internal use).
func New(key []byte, reveal bool) *Mapper {
	return &Mapper{key: key, reveal: reveal, watchID: map[string]bool{}, watchH: map[string]bool{},
		handles: map[string]string{}}
}

// Reveal reports whether the mapper leaves identities in clear.
func (m *Mapper) Reveal() bool { return m.reveal }

// Watch declares a watchlist account (id or handle may be empty).
func (m *Mapper) Watch(platform, id, handle string) {
	if id != "" {
		m.watchID[platform+"\x00"+id] = true
	}
	if handle != "" {
		m.watchH[platform+"\x00"+strings.ToLower(handle)] = true
	}
}

// Known tells the mapper an account's handle, so that mentions of it in texts map to the same
// pseudonym as the account itself.
func (m *Mapper) Known(platform, id, handle string) {
	if id != "" && handle != "" {
		m.handles[platform+"\x00"+strings.ToLower(handle)] = id
	}
}

// IsWatched reports whether the account (by id, or by handle when id is empty) is on the
// watchlist.
func (m *Mapper) IsWatched(platform, id, handle string) bool {
	if id != "" && m.watchID[platform+"\x00"+id] {
		return true
	}
	return handle != "" && m.watchH[platform+"\x00"+strings.ToLower(handle)]
}

func (m *Mapper) hash(s string) string {
	h := hmac.New(sha256.New, m.key)
	h.Write([]byte(s))
	return Prefix + strings.ToLower(b32.EncodeToString(h.Sum(nil)))[:10]
}

// Pseudonym is the pseudonym of an account id, whatever the watchlist says.
func (m *Mapper) Pseudonym(platform, id string) string { return m.hash(platform + "\x00" + id) }

// ID returns id, or its pseudonym when the account is not on the watchlist. Empty stays empty.
func (m *Mapper) ID(platform, id string) string {
	if m.reveal || id == "" || m.watchID[platform+"\x00"+id] {
		return id
	}
	return m.Pseudonym(platform, id)
}

// Handle returns the handle to show for an account: the handle itself for watchlist accounts
// (or with reveal), else the account's pseudonym.
func (m *Mapper) Handle(platform, id, handle string) string {
	if m.reveal || m.IsWatched(platform, id, handle) {
		return handle
	}
	if id == "" {
		if handle == "" {
			return ""
		}
		if known, ok := m.handles[platform+"\x00"+strings.ToLower(handle)]; ok {
			return m.Pseudonym(platform, known)
		}
		return m.hash(platform + "\x00@" + strings.ToLower(handle))
	}
	return m.Pseudonym(platform, id)
}

// Private returns s for watchlist accounts (or with reveal) and "" otherwise: display names,
// bios and other free text that would identify a private account.
func (m *Mapper) Private(platform, id, s string) string {
	if m.reveal || m.watchID[platform+"\x00"+id] {
		return s
	}
	return ""
}

// mention matches an @handle not preceded by a word character (so e-mail addresses stay):
// X handles, Bluesky domain handles and the user part of Mastodon addresses.
var mention = regexp.MustCompile(`(^|[^\p{L}\p{N}_])@([A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?)`)

// Text replaces @mentions of non-watchlist accounts inside a post text by "@" + pseudonym.
func (m *Mapper) Text(platform, s string) string {
	if m.reveal || !strings.Contains(s, "@") {
		return s
	}
	return mention.ReplaceAllStringFunc(s, func(match string) string {
		sub := mention.FindStringSubmatch(match)
		lead, handle := sub[1], sub[2]
		if m.IsWatched(platform, "", handle) {
			return match
		}
		return lead + "@" + m.Handle(platform, "", handle)
	})
}

// PostPrefix starts every post pseudonym.
const PostPrefix = "post_"

// PostID returns a post's id, or a keyed-hash pseudonym ("post_" + 12 base32 characters)
// when its author is known and not on the watchlist: a post id leads to its author on the
// platform. The same post always gets the same pseudonym, so references still join.
func (m *Mapper) PostID(platform, authorID, id string) string {
	if m.reveal || id == "" || authorID == "" || m.watchID[platform+"\x00"+authorID] {
		return id
	}
	h := hmac.New(sha256.New, m.key)
	h.Write([]byte(platform + "\x00post\x00" + id))
	return PostPrefix + strings.ToLower(b32.EncodeToString(h.Sum(nil)))[:12]
}
