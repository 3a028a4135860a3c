/// `repro dag`: the stage graph as a text tree, Graphviz dot, or a Mermaid flowchart.
public enum DagRenderer {
    public enum Format: String, Sendable, CaseIterable {
        case text, dot, mermaid
    }

    public static func render(_ pipeline: PipelineDefinition, format: Format) -> String {
        switch format {
        case .text: return tree(pipeline)
        case .dot: return dot(pipeline)
        case .mermaid: return mermaid(pipeline)
        }
    }

    /// Roots first, each stage's dependents below it. A stage with several dependencies
    /// appears under each; after the first time it is marked "(above)" and not expanded.
    private static func tree(_ pipeline: PipelineDefinition) -> String {
        var lines: [String] = []
        var shown = Set<String>()
        func visit(_ name: String, prefix: String, connector: String, childPrefix: String) {
            let repeated = shown.contains(name)
            let kind = pipeline.stage(name)!.kind.name
            lines.append(prefix + connector + name + (repeated ? " (above)" : " [\(kind)]"))
            guard !repeated else { return }
            shown.insert(name)
            let children = pipeline.dependents(of: name)
            for (n, child) in children.enumerated() {
                let last = n == children.count - 1
                visit(
                    child, prefix: prefix + childPrefix, connector: last ? "└── " : "├── ",
                    childPrefix: last ? "    " : "│   ")
            }
        }
        for stage in pipeline.stages where stage.dependencies.isEmpty {
            visit(stage.name, prefix: "", connector: "", childPrefix: "")
        }
        return lines.joined(separator: "\n")
    }

    private static func dot(_ pipeline: PipelineDefinition) -> String {
        var lines = ["digraph pipeline {", "  rankdir=LR;"]
        for stage in pipeline.stages {
            lines.append("  \"\(stage.name)\" [label=\"\(stage.name)\\n(\(stage.kind.name))\"];")
        }
        for stage in pipeline.stages {
            for dep in stage.dependencies { lines.append("  \"\(dep)\" -> \"\(stage.name)\";") }
        }
        lines.append("}")
        return lines.joined(separator: "\n")
    }

    private static func mermaid(_ pipeline: PipelineDefinition) -> String {
        // Node ids by position (names may hold '-'); the label keeps the real name.
        func id(_ name: String) -> String { "s\(pipeline.position(name)!)" }
        var lines = ["flowchart TD"]
        for stage in pipeline.stages {
            lines.append("  \(id(stage.name))[\"\(stage.name)\"]")
        }
        for stage in pipeline.stages {
            for dep in stage.dependencies { lines.append("  \(id(dep)) --> \(id(stage.name))") }
        }
        return lines.joined(separator: "\n")
    }
}
