package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/host/web"
	"github.com/crumb-dev/crumb/host/web/auth"
)

func init() { commands = append(commands, (*app).tokenCmd) }

func (a *app) tokenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Make, list and revoke API tokens, and print one-time sign-in links",
		Long: "Every API call and the web UI need a token. Roles: staff (stock, waste, demand,\n" +
			"products), marketer (everything a chat can reach: segments, campaigns, push copy),\n" +
			"admin (every tool, tokens, the audit log). A token is printed once; only its hash\n" +
			"is kept.\n\n" +
			"  crumb token create --role marketer --name jiyoon\n  crumb token link        # a one-time admin sign-in link for the web UI",
	}
	var role, name string
	var expires time.Duration
	create := &cobra.Command{
		Use:   "create --role staff|marketer|admin --name NAME",
		Short: "Make a token and print it once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := auth.ParseRole(role); err != nil {
				return fmt.Errorf("--role: %w", err)
			}
			if name == "" {
				return errors.New("--name is required: the person or program that will hold the token (conversations and the audit log use it)")
			}
			tokens, done, err := a.tokenStore(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			var exp *time.Time
			if expires > 0 {
				t := time.Now().Add(expires)
				exp = &t
			}
			plain, t, err := web.CreateToken(cmd.Context(), tokens, name, role, exp)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, plain)
			fmt.Fprintf(a.stderr, "token %s for %s (%s) — shown only now: keep it in a password manager.\n"+
				"Use it as  Authorization: Bearer <token>  or paste it into the web UI's sign-in.\n", t.ID, t.Name, t.Role)
			return nil
		},
	}
	create.Flags().StringVar(&role, "role", "", "staff, marketer or admin")
	create.Flags().StringVar(&name, "name", "", "who holds the token")
	create.Flags().DurationVar(&expires, "expires", 0, "lifetime such as 720h (default: until revoked)")

	ls := &cobra.Command{
		Use:   "ls",
		Short: "List tokens (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tokens, done, err := a.tokenStore(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			ts, err := tokens.ListTokens(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tROLE\tKIND\tCREATED\tEXPIRES\tLAST USED\tSTATE")
			now := time.Now()
			for _, t := range ts {
				state := "active"
				switch {
				case t.RevokedAt != nil:
					state = "revoked"
				case !t.Valid(now):
					state = "expired"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.Kind, t.CreatedAt.Local().Format("2006-01-02 15:04"),
					timeOrDash(t.ExpiresAt), timeOrDash(t.LastUsedAt), state)
			}
			return tw.Flush()
		},
	}

	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token at once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tokens, done, err := a.tokenStore(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			if err := tokens.RevokeToken(cmd.Context(), args[0]); errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no token %q: `crumb token ls` lists them", args[0])
			} else if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "token %s revoked\n", args[0])
			return nil
		},
	}

	var linkRole, linkName string
	link := &cobra.Command{
		Use:   "link",
		Short: "Print a one-time sign-in link for the web UI (valid for web.signin_ttl, 15 minutes by default)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := auth.ParseRole(linkRole); err != nil {
				return fmt.Errorf("--role: %w", err)
			}
			tokens, done, err := a.tokenStore(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			url, err := a.signinLink(cmd.Context(), tokens, linkName, linkRole)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, url)
			return nil
		},
	}
	link.Flags().StringVar(&linkRole, "role", auth.Admin, "role of the session")
	link.Flags().StringVar(&linkName, "name", "admin", "name of the session's holder")

	cmd.AddCommand(create, ls, revoke, link)
	return cmd
}

// tokenStore opens the database's token store.
func (a *app) tokenStore(ctx context.Context) (store.Tokens, func(), error) {
	st, err := a.openStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	tokens, ok := st.(store.Tokens)
	if !ok {
		st.Close()
		return nil, nil, fmt.Errorf("the database %s keeps no tokens", a.dbName())
	}
	return tokens, func() { st.Close() }, nil
}

// signinLink stores a one-time sign-in code and returns the link that
// redeems it. The code is in the URL's fragment, which browsers never send
// to a server or put in a Referer; the page posts it and forgets it.
func (a *app) signinLink(ctx context.Context, tokens store.Tokens, name, role string) (string, error) {
	code, err := auth.NewCode()
	if err != nil {
		return "", err
	}
	if err := tokens.CreateSigninCode(ctx, code.Hash, name, role, time.Now().Add(a.cfg.Web.Signin())); err != nil {
		return "", err
	}
	return strings.TrimRight(a.cfg.Web.BaseURL(a.cfg.Listen), "/") + "/#signin=" + code.Plain, nil
}

// localTokenPath is where `crumb serve` leaves an admin token for the
// command line on the same machine (crumb ask, crumb plugins ls), readable
// only by its owner, like a Jupyter server's runtime file: whoever can read
// the data directory owns the database anyway.
func (a *app) localTokenPath() string { return filepath.Join(a.cfg.DataDir, "local-token") }

// localToken is the token `crumb serve` left for the command line, or "".
func (a *app) localToken() string {
	b, err := os.ReadFile(a.localTokenPath())
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// rotateLocalToken revokes the token an earlier serve left and writes a
// new one; the returned func revokes it and removes the file.
func (a *app) rotateLocalToken(ctx context.Context, tokens store.Tokens) (func(), error) {
	if old := a.localToken(); old != "" {
		if id, ok := tokenID(old); ok {
			_ = tokens.RevokeToken(ctx, id) // unknown (another database) is fine
		}
	}
	plain, t, err := web.CreateToken(ctx, tokens, "local-cli", auth.Admin, nil)
	if err != nil {
		return nil, err
	}
	path := a.localTokenPath()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("write the local token: %w", err)
	}
	if err := os.WriteFile(path, []byte(plain+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write the local token: %w", err)
	}
	return func() {
		_ = tokens.RevokeToken(context.WithoutCancel(ctx), t.ID)
		_ = os.Remove(path)
	}, nil
}

// tokenID is the public id inside crumb_<id>_<secret>.
func tokenID(token string) (string, bool) {
	rest, ok := strings.CutPrefix(token, "crumb_")
	if !ok {
		return "", false
	}
	id, _, ok := strings.Cut(rest, "_")
	return id, ok
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}
