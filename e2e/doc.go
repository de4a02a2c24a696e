// Package e2e holds end-to-end scenarios that run bouncewatch against real
// mail software rather than recorded samples.
//
// The Postfix scenario (postfix_test.go) reconfigures and restarts the
// machine's Postfix and starts a Dovecot of its own, so it runs only when
// BOUNCEWATCH_E2E_POSTFIX=1 is set, as root, on a machine whose mail system
// is there to be used that way; .ci/run installs Postfix and Dovecot and
// sets it. Under CI=true the scenario fails rather than skips when it
// cannot run.
//
// The package has no code of its own outside its tests.
package e2e
