// Command sshpin stands in for pulumi-command's SSH client in the host-key pin tests. The
// provider (Go) cannot be installed here, so this program sets up golang.org/x/crypto/ssh exactly
// as the provider does when a connection has `hostKey` (pulumi-command,
// provider/pkg/provider/remote/connection.go):
//
//	publicKey, _, _, _, err := ssh.ParseAuthorizedKey([]byte(*con.HostKey))
//	hostKeyCallback = ssh.FixedHostKey(publicKey)
//	hostKeyAlgorithms = []string{publicKey.Type()}
//	config := &ssh.ClientConfig{User: ..., HostKeyCallback: ..., HostKeyAlgorithms: ..., Timeout: ...}
//	// auth: ssh.PublicKeys(signer), signer from ssh.ParsePrivateKey(privateKey)
//
// then dials, runs one command in a session and exits 0, or prints the error to stderr and exits 1.
// It is not known whether the release the project pins (1.2.1) already sets HostKeyAlgorithms, so
// -algorithms chooses: "restricted" sets it to the pinned key's type, as above; "unrestricted"
// leaves it unset, and x/crypto's default order (ECDSA, then RSA, then Ed25519) decides which of
// the server's keys is shown. It never prints key material beyond the public host key it was given.
//
// Usage:
//
//	sshpin -addr 127.0.0.1:2222 -user ec2-user -key client_key \
//	    -host-key "ecdsa-sha2-nistp256 AAAA..." -algorithms restricted -command true
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"golang.org/x/crypto/ssh"
)

func main() {
	addr := flag.String("addr", "", "host:port of the SSH server")
	user := flag.String("user", "", "user to log in as")
	keyFile := flag.String("key", "", "file holding the client's private key")
	hostKey := flag.String("host-key", "", `the pinned host key, "type base64" (authorized_keys form)`)
	algorithms := flag.String("algorithms", "", `"restricted" (HostKeyAlgorithms = [pinned type]) or "unrestricted" (x/crypto's default order)`)
	command := flag.String("command", "true", "command to run on the host")
	flag.Parse()

	if err := run(*addr, *user, *keyFile, *hostKey, *algorithms, *command); err != nil {
		fmt.Fprintf(os.Stderr, "sshpin: %v\n", err)
		os.Exit(1)
	}
}

func run(addr, user, keyFile, hostKey, algorithms, command string) error {
	if addr == "" || user == "" || keyFile == "" || hostKey == "" {
		return errors.New("-addr, -user, -key and -host-key are required")
	}
	if algorithms != "restricted" && algorithms != "unrestricted" {
		return fmt.Errorf(`-algorithms must be "restricted" or "unrestricted", not %q`, algorithms)
	}

	// The provider's hostKey handling.
	publicKey, _, _, _, err := ssh.ParseAuthorizedKey([]byte(hostKey))
	if err != nil {
		return fmt.Errorf("parsing -host-key: %w", err)
	}
	config := &ssh.ClientConfig{
		User:            user,
		HostKeyCallback: ssh.FixedHostKey(publicKey),
		Timeout:         10 * time.Second,
	}
	if algorithms == "restricted" {
		config.HostKeyAlgorithms = []string{publicKey.Type()}
	}

	// The provider's privateKey handling (no passphrase, no agent, no password).
	privateKey, err := os.ReadFile(keyFile)
	if err != nil {
		return fmt.Errorf("reading -key: %w", err)
	}
	signer, err := ssh.ParsePrivateKey(privateKey)
	if err != nil {
		// x/crypto's parse errors name the problem, never the key's bytes.
		return fmt.Errorf("parsing -key: %w", err)
	}
	config.Auth = append(config.Auth, ssh.PublicKeys(signer))

	client, err := ssh.Dial("tcp", addr, config)
	if err != nil {
		return err
	}
	defer client.Close()
	session, err := client.NewSession()
	if err != nil {
		return err
	}
	defer session.Close()
	session.Stdout = os.Stdout
	session.Stderr = os.Stderr
	return session.Run(command)
}
