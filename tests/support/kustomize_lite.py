"""A minimal `kustomize build` for the tests, used where kubectl (which embeds kustomize) is missing.

It supports only what our overlays use, and refuses anything else rather than guess: `resources` (files
and directories with a kustomization.yaml), `patches` given by `path` (strategic merge patches that name
their target by kind and name), `images` (newName, newTag, digest) and `namespace`. A test builds every
overlay with both this and kubectl and compares the results, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

SUPPORTED = {"apiVersion", "kind", "resources", "patches", "images", "namespace"}
CLUSTER_SCOPED = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "StorageClass",
}
# Lists that a strategic merge patch merges item by item (Kubernetes' patchMergeKey), by field name.
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
}

Object = dict[str, Any]


class UnsupportedKustomization(Exception):
    pass


def build(directory: Path) -> list[Object]:
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(kustomization) - SUPPORTED
    if unknown:
        raise UnsupportedKustomization(f"{directory}: {sorted(unknown)} not supported by kustomize_lite")
    objects: list[Object] = []
    for entry in kustomization.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            objects.extend(build(path))
        else:
            objects.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
    for patch_entry in kustomization.get("patches", []):
        if set(patch_entry) != {"path"}:
            raise UnsupportedKustomization(f"{directory}: only `patches: - path:` is supported")
        for patch in yaml.safe_load_all((directory / patch_entry["path"]).read_text()):
            if patch:
                _apply_patch(objects, patch)
    for image in kustomization.get("images", []):
        for obj in objects:
            _set_image(obj, image)
    if namespace := kustomization.get("namespace"):
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj.setdefault("metadata", {})["namespace"] = namespace
    return objects


def _apply_patch(objects: list[Object], patch: Object) -> None:
    matches = [
        i
        for i, obj in enumerate(objects)
        if obj["kind"] == patch["kind"] and obj["metadata"]["name"] == patch["metadata"]["name"]
    ]
    if len(matches) != 1:
        raise UnsupportedKustomization(
            f"patch {patch['kind']}/{patch['metadata']['name']} matches {len(matches)} objects"
        )
    objects[matches[0]] = merge(objects[matches[0]], patch)


def merge(target: Any, patch: Any, field: str = "") -> Any:
    """Strategic merge: maps merge key by key (null deletes), keyed lists merge item by item, other
    lists and scalars are replaced."""
    if isinstance(target, dict) and isinstance(patch, dict):
        result = copy.deepcopy(target)
        for key, value in patch.items():
            if value is None:
                result.pop(key, None)
            elif key in result:
                result[key] = merge(result[key], value, key)
            else:
                result[key] = copy.deepcopy(value)
        return result
    key = MERGE_KEYS.get(field)
    if key and isinstance(target, list) and isinstance(patch, list):
        result_list = copy.deepcopy(target)
        for item in patch:
            index = next((i for i, old in enumerate(result_list) if old.get(key) == item.get(key)), None)
            if index is None:
                result_list.append(copy.deepcopy(item))
            else:
                result_list[index] = merge(result_list[index], item)
        return result_list
    return copy.deepcopy(patch)


def pod_spec(obj: Object) -> Object | None:
    spec = obj.get("spec", {})
    if obj["kind"] == "Pod":
        return spec
    if obj["kind"] == "CronJob":
        return spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec")
    template = spec.get("template")
    return template.get("spec") if isinstance(template, dict) else None


def _set_image(obj: Object, image: dict[str, str]) -> None:
    spec = pod_spec(obj)
    if spec is None:
        return
    for container in [*spec.get("containers", []), *spec.get("initContainers", [])]:
        name, tag, digest = split_image(container["image"])
        if name != image["name"]:
            continue
        name = image.get("newName", name)
        tag = image.get("newTag", tag)
        digest = image.get("digest", digest)
        container["image"] = name + (f"@{digest}" if digest else f":{tag}" if tag else "")


def split_image(reference: str) -> tuple[str, str | None, str | None]:
    """(name, tag, digest) of an image reference such as registry:5000/a/b:1.2@sha256:..."""
    rest, _, digest = reference.partition("@")
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        return rest[:colon], rest[colon + 1 :], digest or None
    return rest, None, digest or None
