// Save as ONNX in the tab: Python describes the active model's graph
// (pynet/export/onnx_graph.py, OnnxGraph.plain(): the one description the
// command line's `pynet export-onnx` writes too) and this encodes it as an
// ONNX ModelProto with onnx-proto, the protobufjs-generated ONNX schema
// (vendor/onnx-proto.js, bundled by build/vendor_bundle.py from node_modules).
// Loaded with the first Save as ONNX. No DOM.
import { onnx } from "../vendor/onnx-proto.js";

const ATTRIBUTE = {
  int: (value) => ({ type: onnx.AttributeProto.AttributeType.INT, i: value }),
  ints: (value) => ({ type: onnx.AttributeProto.AttributeType.INTS, ints: value }),
  float: (value) => ({ type: onnx.AttributeProto.AttributeType.FLOAT, f: value }),
};

function attribute({ name, kind, value }) {
  if (!(kind in ATTRIBUTE)) throw new Error(`unknown attribute kind ${kind}`);
  return { name, ...ATTRIBUTE[kind](value) };
}

// A graph input or output: float tensor, dims an int or a symbolic name ("batch").
const valueInfo = ({ name, elem_type: elemType, dims }) => ({
  name,
  type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) } } },
});

// The description (plain values, arrays as little-endian bytes) -> the .onnx file's bytes (Uint8Array).
export function encodeOnnx(desc) {
  const { graph } = desc;
  const model = {
    irVersion: desc.ir_version,
    producerName: desc.producer_name,
    docString: desc.doc_string,
    opsetImport: [{ domain: "", version: desc.opset }],
    metadataProps: Object.entries(desc.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      node: graph.nodes.map((n) => ({
        name: n.name, opType: n.op_type, input: n.inputs, output: n.outputs, attribute: n.attributes.map(attribute),
      })),
      initializer: graph.initializers.map((t) => ({
        name: t.name, dataType: t.data_type, dims: t.dims, rawData: t.raw_data,
      })),
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    },
  };
  const problem = onnx.ModelProto.verify(model);
  if (problem) throw new Error(`the ONNX description does not fit the schema: ${problem}`);
  return onnx.ModelProto.encode(model).finish();
}
