// Package testservers starts real object stores on loopback for tests:
// versitygw (an S3 gateway over a POSIX directory) and Azurite (the Azure
// Storage emulator). The conformance suite runs against them on every
// test run, so the S3 and Azure Sources are tested against real protocol
// servers rather than fakes.
//
// Binaries are found through RETROHUNT_VERSITYGW and RETROHUNT_AZURITE,
// else in the Go bin directory and in <repo>/.cache/azurite, where
// .ci/install-test-servers.sh puts them. A missing binary skips the test,
// or fails it when RETROHUNT_REQUIRE_SERVERS=1 (as make and CI set).
package testservers
