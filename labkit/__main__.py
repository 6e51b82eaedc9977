"""`lab` command line: see `./lab --help`."""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import sys
import time

from . import config, image, inventory, kernel, net, uml
from .util import log


def _require_root() -> None:
    if os.geteuid() != 0:
        raise SystemExit("lab: run as root (it creates bridges, taps and namespaces)")


def cmd_up(args) -> None:
    """Boot the nodes of a shape; when anything fails, remove what this call created and fail."""
    _require_root()
    from . import deps
    deps.ensure_host()
    shapes = list(config.UP_ALL) if args.shape == "all" else [args.shape]
    if "engine" in shapes and args.suite != image.SUITE:
        raise SystemExit(f"lab: the engines boot {image.SUITE} (their image holds every release's container image); "
                         f"--suite {args.suite} is for the hosts shape and single nodes")
    t0 = time.monotonic()
    kern = kernel.ensure()
    img = image.ensure_image(kern, args.suite)
    t_img = time.monotonic() - t0
    nodes = [n for s in shapes for n in config.SHAPES[s] if not uml.pid_of(n.name)]
    had_network = bool(net.leftovers())
    try:
        net.up()
        t1 = time.monotonic()
        for n in nodes:
            uml.boot(n, img)
        waits = uml.wait_all(nodes, image.key_path())
        if "engine" in shapes:
            from . import engine
            engine.wait_ready([n.name for n in config.SHAPES["engine"]])
        t_boot = time.monotonic() - t1
    except BaseException:
        log(f"lab up failed: removing what it created ({', '.join(n.name for n in nodes) or 'no node'}"
            f"{'' if had_network else ', the lab network'})")
        for n in nodes:
            uml.stop(n.name)
        if not had_network and not uml.running():
            net.down()
        raise
    inv = inventory.write(image.key_path())
    log(f"kernel {kern.describe()}; image {t_img:.1f} s, boot to SSH {t_boot:.1f} s "
        f"({', '.join(f'{k} {v:.1f}' for k, v in waits.items())})")
    print(f"inventory: {inv}")
    if "engine" in shapes:
        for n in config.SHAPES["engine"]:
            print(f"DOCKER_HOST={config.engine_url(n.name)}  ({n.name}; LVS_LAB_ENGINE={n.name} for `lab molecule`)")


def cmd_restart(args) -> None:
    """Stop one node and boot it again fresh (a new copy-on-write file) from the current image."""
    _require_root()
    node = config.node(args.node)
    uml.stop(node.name)
    img = image.ensure_image(suite=args.suite)
    net.up()
    uml.boot(node, img, machine=args.machine)
    took = uml.wait_all([node], image.key_path())[node.name]
    if node.group == "engines":
        from . import engine
        engine.wait_ready([node.name])
    log(f"{node.name}: back in {took:.1f} s")


def cmd_reboot(args) -> None:
    """Power NODE off cleanly and boot it again with the same disk, as a reboot of a real host would."""
    _require_root()
    node = config.node(args.node)
    if not uml.pid_of(node.name):
        raise SystemExit(f"lab: {node.name} is not running")
    took = uml.reboot(node, image.key_path())
    log(f"{node.name}: rebooted, SSH back after {took:.1f} s")


def cmd_down(args) -> None:
    _require_root()
    names = uml.running()
    with concurrent.futures.ThreadPoolExecutor(max(1, len(names))) as pool:
        list(pool.map(uml.stop, names))
    for nodes in config.SHAPES.values():
        for n in nodes:
            uml.stop(n.name)
    net.down()
    left = net.leftovers() + uml.stray_processes()
    if left:
        raise SystemExit("lab: left behind after down:\n  " + "\n  ".join(left))


def cmd_status(args) -> None:
    up = uml.running()
    kern = kernel.current()
    print("kernel:", kern.describe() if kern else "not fetched yet (`lab up` fetches it)")
    for shape, nodes in config.SHAPES.items():
        for n in nodes:
            state = "running" if n.name in up else "stopped"
            if n.name in up and uml.machine_of(n.name) == "qemu":
                state += " (qemu, Debian amd64 kernel)"
            elif n.name in up and kern:
                booted = (uml.node_dir(n.name) / "kernel").read_text().strip()
                state += "" if booted == str(kern.root) else f" (booted {booted})"
            print(f"{shape:7} {n.name:12} {n.addr('private'):12} {state}")
    left = net.leftovers()
    print("network:", "up" if left else "down")


def cmd_kernel(args) -> None:
    """Show the lab kernel; with --update fetch the suite's current user-mode-linux again."""
    _require_root()
    from . import deps
    deps.ensure_host()
    kern = kernel.fetch() if args.update else kernel.ensure()
    print(kern.describe())
    missing = kernel.missing_modules(kern)
    print("modules the lab loads:", "all present" if not missing else f"MISSING {' '.join(missing)}")


def cmd_inventory(args) -> None:
    print(inventory.write(image.key_path()))


def cmd_ssh(args) -> None:
    key = image.key_path()
    node = config.node(args.node)
    cmd = uml.ssh_cmd(key, node.addr("private"), *args.command)
    os.execvp(cmd[0], cmd)


def cmd_client(args) -> None:
    cmd = ["ip", "netns", "exec", config.CLIENT_NETNS, *args.command]
    os.execvp(cmd[0], cmd)


def cmd_image(args) -> None:
    _require_root()
    from . import deps
    deps.ensure_host()
    print(image.ensure_image())


def cmd_setup(args) -> None:
    _require_root()
    from . import deps
    deps.ensure_host()
    deps.ensure_venv()


def _docker_host() -> str:
    from . import engine
    url = engine.docker_host(engine.host_has_ipvs(), engine.LOCAL_SOCKET.exists())
    if url == config.engine_url() and config.engine_name() not in uml.running():
        cmd_up(argparse.Namespace(shape="engine"))
    return url


def cmd_env(args) -> None:
    print(f"export DOCKER_HOST={_docker_host()}")


def cmd_molecule(args) -> None:
    """Run molecule from the venv with DOCKER_HOST on an IPVS kernel."""
    _require_root()
    from . import deps
    deps.ensure_venv()
    env = deps.venv_env()
    env["DOCKER_HOST"] = _docker_host()
    on_lab = env["DOCKER_HOST"] == config.engine_url()
    env["LVS_LAB_KERNEL_RELEASE"] = kernel.ensure().release if on_lab else os.uname().release
    log(f"molecule with DOCKER_HOST={env['DOCKER_HOST']}")
    os.execvpe(str(deps.VENV / "bin/molecule"), ["molecule", *args.args], env)


def cmd_generate(args) -> None:
    from . import generate
    generate.main()


def cmd_demo(args) -> None:
    _require_root()
    from . import demo
    demo.main()


def cmd_test(args) -> None:
    _require_root()
    from . import testrun
    testrun.main(args)


def suite_arg(parser) -> None:
    parser.add_argument("--suite", choices=image.NODE_SUITES, default=image.SUITE,
                        help=f"the Debian release the nodes boot (default {image.SUITE}; the engines need "
                             f"{image.SUITE}'s image, which holds the container images); under QEMU also its kernel")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="lab", description="Real IPVS kernels (user-mode-linux) for lvs.cluster.")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("setup", help="install host packages (apt) and the Python venv (.venv)")
    s.set_defaults(func=cmd_setup)
    s = sub.add_parser("image", help="build (or reuse) the cached guest image")
    s.set_defaults(func=cmd_image)
    s = sub.add_parser("kernel", help="show (or --update) the lab's user-mode-linux kernel")
    s.add_argument("--update", action="store_true", help="fetch the suite's current package again")
    s.set_defaults(func=cmd_kernel)
    s = sub.add_parser("up", help="boot lab nodes")
    s.add_argument("shape", nargs="?", default="hosts", choices=["hosts", "engine", "all"])
    suite_arg(s)
    s.set_defaults(func=cmd_up)
    s = sub.add_parser("down", help="stop every node, remove taps, bridges, namespace and rules")
    s.set_defaults(func=cmd_down)
    s = sub.add_parser("restart", help="restart NODE fresh from the current image")
    s.add_argument("node")
    s.add_argument("--machine", choices=uml.MACHINES, default="uml",
                   help="uml: the lab kernel (default); qemu: Debian's amd64 kernel under emulation, which has "
                        "the IPv4 netfilter tables the UML kernel lacks (iptables MARK rules)")
    suite_arg(s)
    s.set_defaults(func=cmd_restart)
    s = sub.add_parser("reboot", help="power NODE off and boot it again with the same disk")
    s.add_argument("node")
    s.set_defaults(func=cmd_reboot)
    s = sub.add_parser("status", help="show nodes")
    s.set_defaults(func=cmd_status)
    s = sub.add_parser("inventory", help="write the Ansible inventory and print its path")
    s.set_defaults(func=cmd_inventory)
    s = sub.add_parser("ssh", help="ssh NODE [COMMAND...]")
    s.add_argument("node")
    s.add_argument("command", nargs=argparse.REMAINDER)
    s.set_defaults(func=cmd_ssh)
    s = sub.add_parser("client", help="run COMMAND in the client namespace on the public network")
    s.add_argument("command", nargs=argparse.REMAINDER)
    s.set_defaults(func=cmd_client)
    s = sub.add_parser("env", help="print DOCKER_HOST for a container engine on an IPVS kernel (boots the engine)")
    s.set_defaults(func=cmd_env)
    s = sub.add_parser("molecule", help="molecule ARGS... with DOCKER_HOST on an IPVS kernel")
    s.add_argument("args", nargs=argparse.REMAINDER)
    s.set_defaults(func=cmd_molecule)
    s = sub.add_parser("generate", help="write the roles' argument specs, defaults and option tables from the schema")
    s.set_defaults(func=cmd_generate)
    s = sub.add_parser("demo", help="README command 1: set up, boot the lab and run the main job on it")
    s.set_defaults(func=cmd_demo)
    s = sub.add_parser("test", help="README command 2: set up and run the whole test suite")
    s.add_argument("--fast", action="store_true", help="linters and unit tests only (no lab)")
    s.set_defaults(func=cmd_test)
    args = p.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    sys.exit(main())
