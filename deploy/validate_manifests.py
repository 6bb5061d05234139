#!/usr/bin/env python3
"""Offline structural checks of deploy/: the Dockerfile, compose.yaml and the rendered Kubernetes manifests.

No Docker engine or cluster is needed. Every problem is listed, then the exit status is 1 if there was any.
Usage: validate_manifests.py <repo root> <rendered kustomize output>
"""
import os
import re
import sys

import yaml

problems = []


def check(condition, message):
    if not condition:
        problems.append(message)
    return condition


def dockerfile_stages(text):
    """Stage name -> list of (instruction, argument) with line continuations joined."""
    joined = re.sub(r"\\\n", " ", text)
    stages, current = {}, None
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, argument = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            match = re.match(r"(\S+)(?:\s+AS\s+(\S+))?", argument, re.IGNORECASE)
            current = match.group(2) or match.group(1)
            stages[current] = [("FROM", match.group(1))]
        elif current is not None:
            stages[current].append((instruction, argument.strip()))
    return stages


def check_dockerfile(root):
    text = open(os.path.join(root, "deploy/Dockerfile")).read()
    stages = dockerfile_stages(text)
    check("build" in stages and "sdk:" in stages["build"][0][1], "Dockerfile: a 'build' stage FROM the .NET SDK image")
    check("gateway" in stages, "Dockerfile: a 'gateway' stage")
    check(list(stages)[-1] == "gateway", "Dockerfile: 'gateway' is the last stage, so a plain build yields the gateway")
    base = dict(stages.get("runtime-base", []))
    native = dict(stages.get("native-base", []))
    check("aspnet:" in base.get("FROM", ""), "Dockerfile: the runtime stages derive from the ASP.NET runtime image")
    check("runtime-deps:" in native.get("FROM", ""), "Dockerfile: the native gateway's stage derives from the runtime-deps image")
    for name, stage in (("runtime-base", base), ("native-base", native)):
        user = stage.get("USER", "")
        check(re.fullmatch(r"[1-9]\d*(:[1-9]\d*)?", user) is not None, f"Dockerfile: {name} USER must be a numeric non-root id, got '{user}'")
        check("0.0.0.0:8080" in stage.get("ENV", ""), f"Dockerfile: {name} sets ASPNETCORE_URLS to 0.0.0.0:8080 (the app's default is loopback)")
    gateway = dict(stages.get("gateway", []))
    check(gateway.get("FROM") == "runtime-base", "Dockerfile: the gateway stage is FROM runtime-base")
    check("/healthz" in gateway.get("HEALTHCHECK", ""), "Dockerfile: the gateway HEALTHCHECK probes /healthz")
    check(gateway.get("ENTRYPOINT", "").startswith('["dotnet", "/app/ExpertRouter.Gateway.dll"'),
          "Dockerfile: the gateway ENTRYPOINT is exec-form 'dotnet /app/ExpertRouter.Gateway.dll'")
    native_gateway = dict(stages.get("gateway-native", []))
    check(native_gateway.get("FROM") == "native-base", "Dockerfile: the gateway-native stage is FROM native-base")
    check("/healthz" in native_gateway.get("HEALTHCHECK", ""), "Dockerfile: the gateway-native HEALTHCHECK probes /healthz")
    check(native_gateway.get("ENTRYPOINT", "").startswith('["/app/ExpertRouter.Gateway"'),
          "Dockerfile: the gateway-native ENTRYPOINT is the exec-form native executable '/app/ExpertRouter.Gateway'")
    build_native = " ".join(argument for instruction, argument in stages.get("build-native", []) if instruction == "RUN")
    check("-p:PublishAot=true" in build_native, "Dockerfile: the build-native stage publishes the gateway with Native AOT")
    for stage, steps in stages.items():
        for instruction, argument in steps:
            if instruction == "COPY" and "--from" not in argument:
                for source in argument.split()[:-1]:
                    check(os.path.exists(os.path.join(root, source)), f"Dockerfile: COPY source '{source}' does not exist")
    ignore = os.path.join(root, "deploy/Dockerfile.dockerignore")
    check(os.path.exists(ignore), "Dockerfile: deploy/Dockerfile.dockerignore keeps bin/obj and tests out of the context")
    return stages


def check_compose(root, stages):
    compose = yaml.safe_load(open(os.path.join(root, "deploy/compose.yaml")))
    services = compose.get("services", {})
    gateways = [name for name, s in services.items() if s.get("build", {}).get("target") == "gateway"]
    check(len(gateways) >= 2, f"compose: at least two gateway replicas, found {gateways}")
    for name in ("redis", "simulator", "prometheus"):
        check(name in services, f"compose: a '{name}' service")
    for name, service in services.items():
        target = service.get("build", {}).get("target")
        if target:
            check(target in stages, f"compose: {name} builds Dockerfile target '{target}', which does not exist")
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                check(os.path.exists(os.path.join(root, "deploy", source)), f"compose: {name} mounts missing '{source}'")
    for name in gateways:
        gateway = services[name]
        env = gateway.get("environment", {})
        check(gateway.get("read_only") is True, f"compose: {name} runs with a read-only root filesystem")
        check(any(t.startswith("/tmp") for t in gateway.get("tmpfs", [])), f"compose: {name} has a tmpfs /tmp")
        check(env.get("ExpertRouter__Redis", "").startswith("redis:"), f"compose: {name} uses the redis service")
        check(env.get("ExpertRouter__SimulatorUrl", "").startswith("http://simulator:"), f"compose: {name} uses the simulator service")
        check(env.get("ExpertRouter__Policies") is not None, f"compose: {name} reads policies from a mounted folder")
        check(env.get("ExpertRouter__Management__Urls__0", "").endswith(":9464"), f"compose: {name} serves /metrics on the management port 9464")
    prometheus = yaml.safe_load(open(os.path.join(root, "deploy/prometheus/prometheus.yml")))
    targets = {t for job in prometheus["scrape_configs"] for sc in job.get("static_configs", []) for t in sc["targets"]}
    check(targets == {f"{g}:9464" for g in gateways}, f"prometheus: scrapes every gateway replica's management port, got {sorted(targets)}")


def check_kubernetes(rendered_path):
    documents = [d for d in yaml.safe_load_all(open(rendered_path)) if d]
    by_kind = {}
    for doc in documents:
        for field in ("apiVersion", "kind", "metadata"):
            check(field in doc, f"k8s: a document without '{field}'")
        check("name" in doc.get("metadata", {}), f"k8s: {doc.get('kind')} without metadata.name")
        by_kind.setdefault(doc["kind"], []).append(doc)
    for kind in ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ConfigMap", "Secret"):
        check(len(by_kind.get(kind, [])) == 1, f"k8s: exactly one {kind}")
    if problems:
        return
    deployment = by_kind["Deployment"][0]
    pod = deployment["spec"]["template"]
    labels = pod["metadata"]["labels"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    check(selector.items() <= labels.items(), "k8s: the Deployment selector matches its pod labels")
    spec = pod["spec"]
    check(spec.get("securityContext", {}).get("runAsNonRoot") is True, "k8s: pods run as non-root")
    container = spec["containers"][0]
    security = container.get("securityContext", {})
    check(security.get("readOnlyRootFilesystem") is True, "k8s: read-only root filesystem")
    check(security.get("allowPrivilegeEscalation") is False, "k8s: no privilege escalation")
    check(container.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/readyz", "k8s: readiness probe on /readyz")
    check(container.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/healthz", "k8s: liveness probe on /healthz")
    requests = container.get("resources", {}).get("requests", {})
    check("cpu" in requests and "memory" in requests, "k8s: CPU and memory requests (the HPA needs the CPU one)")
    check("memory" in container.get("resources", {}).get("limits", {}), "k8s: a memory limit")
    annotations = pod["metadata"].get("annotations", {})
    check(annotations.get("prometheus.io/scrape") == "true" and annotations.get("prometheus.io/path") == "/metrics",
          "k8s: Prometheus scrape annotations on the pods")
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    check(annotations.get("prometheus.io/port") == "9464" and env.get("ExpertRouter__Management__Urls__0", "").endswith(":9464"),
          "k8s: /metrics scraped on the management port, not the API port")
    configmap = by_kind["ConfigMap"][0]["metadata"]["name"]
    secret = by_kind["Secret"][0]["metadata"]["name"]
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    mounts = {m["name"]: m for m in container.get("volumeMounts", [])}
    policy_volume = next((n for n, v in volumes.items() if v.get("configMap", {}).get("name") == configmap), None)
    if check(policy_volume in mounts, "k8s: the policies ConfigMap is mounted"):
        mount = mounts[policy_volume]
        # subPath mounts are never updated by the kubelet, which would silently break hot reload.
        check("subPath" not in mount, "k8s: the policies ConfigMap is mounted as a folder, not with subPath")
        env = {e["name"]: e.get("value") for e in container.get("env", [])}
        check(env.get("ExpertRouter__Policies") == mount["mountPath"], "k8s: ExpertRouter__Policies is the ConfigMap's mount path")
    check(any(m["mountPath"] == "/tmp" for m in mounts.values()), "k8s: a writable /tmp (emptyDir) beside the read-only root")
    check(any(e.get("secretRef", {}).get("name") == secret for e in container.get("envFrom", [])), "k8s: the Secret feeds the environment")
    service = by_kind["Service"][0]
    check(service["spec"]["selector"].items() <= labels.items(), "k8s: the Service selects the gateway pods")
    hpa = by_kind["HorizontalPodAutoscaler"][0]["spec"]
    check(hpa["scaleTargetRef"]["name"] == deployment["metadata"]["name"], "k8s: the HPA scales the gateway Deployment")
    check(hpa["minReplicas"] >= 2, "k8s: the HPA keeps at least two replicas")
    pdb = by_kind["PodDisruptionBudget"][0]["spec"]
    check(pdb["selector"]["matchLabels"].items() <= labels.items(), "k8s: the PDB selects the gateway pods")


def main():
    root, rendered = sys.argv[1], sys.argv[2]
    stages = check_dockerfile(root)
    check_compose(root, stages)
    check_kubernetes(rendered)
    for problem in problems:
        print("  FAIL " + problem)
    print(f"validate_manifests: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
