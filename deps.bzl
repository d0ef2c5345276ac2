"""refcore's dependencies, for a Bazel workspace that uses refcore as an
external repository. Its WORKSPACE needs two more lines after declaring it:

    local_repository(name = "refcore", path = "/path/to/refcore")
    load("@refcore//:deps.bzl", "refcore_dependencies")
    refcore_dependencies()

Bazel 4.2.3 wants rules_cc, rules_java and remote_coverage_tools even for
pure C work and, offline, cannot fetch them; refcore keeps small stand-ins in
third_party/ (see the notes there), and this declares them from wherever
refcore lives. A repository the workspace already declared is left alone.
tests/consumer/bazel is such a workspace, built by scripts/test.sh."""

def _third_party_impl(rctx):
    # The folder third_party/<dir> beside the anchor file, linked entry by entry.
    src = rctx.path(rctx.attr.anchor).dirname.get_child(rctx.attr.dir)
    for child in src.readdir():
        rctx.symlink(child, child.basename)

_third_party = repository_rule(
    implementation = _third_party_impl,
    attrs = {
        "anchor": attr.label(mandatory = True, allow_single_file = True),
        "dir": attr.string(mandatory = True),
    },
    local = True,
)

def refcore_dependencies(refcore = "refcore"):
    """Declares rules_cc, rules_java and remote_coverage_tools from refcore's
    third_party/. refcore: the name the workspace gave refcore's repository."""
    for repo in ["rules_cc", "rules_java", "remote_coverage_tools"]:
        if repo not in native.existing_rules():
            _third_party(name = repo, anchor = "@%s//third_party:BUILD" % refcore, dir = repo)
