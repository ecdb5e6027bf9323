// Composes a fetched sentence encoder and a small linear head into one ONNX graph, so serve-model
// and the worker pool run one model: input_ids, attention_mask (, token_type_ids) → probabilities.
// The nodes are appended after the encoder's last_hidden_state; the encoder's own nodes, opset and
// initializers are kept byte for byte, so the same encoder and head always give the same file.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const INT = onnx.AttributeProto.AttributeType.INT;
const INTS = onnx.AttributeProto.AttributeType.INTS;

/** A linear head over a pooled, L2-normalised embedding: probabilities = softmax(e · weights + bias). */
export interface LinearHead {
  labels: string[];
  /** [dims][labels], row-major by embedding dimension. */
  weights: number[][];
  bias: number[];
}

export interface ComposeOptions {
  pooling: 'mean' | 'cls';
  head: LinearHead;
  graphName: string;
  docString: string;
}

export const PROBABILITIES = 'probabilities';
const HIDDEN = 'last_hidden_state';

function floatTensor(name: string, dims: number[], values: ArrayLike<number>): onnxProto.onnx.ITensorProto {
  const data = Float32Array.from(values as ArrayLike<number>);
  return {
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

function node(
  opType: string,
  input: string[],
  output: string,
  attribute: onnxProto.onnx.IAttributeProto[] = [],
): onnxProto.onnx.INodeProto {
  return { opType, input, output: [output], name: `head/${output}`, attribute };
}

const axes = (values: number[]): onnxProto.onnx.IAttributeProto => ({ name: 'axes', type: INTS, ints: values });
const keepdims = (keep: 0 | 1): onnxProto.onnx.IAttributeProto => ({ name: 'keepdims', type: INT, i: keep });

/**
 * Pooling as the TypeScript path (src/inference/model-kinds/embedding-pooling.ts) does it: the mean
 * over masked tokens with the count clamped at 1e-9, or the first token; then x / max(‖x‖, 1e-12).
 * Opset 11 operators only (Unsqueeze and ReduceSum take `axes` as attributes there), as the
 * encoders are opset 11.
 */
function headNodes(pooling: 'mean' | 'cls'): onnxProto.onnx.INodeProto[] {
  const pooled =
    pooling === 'mean'
      ? [
          node('Cast', ['attention_mask'], 'head_mask', [
            { name: 'to', type: INT, i: onnx.TensorProto.DataType.FLOAT },
          ]),
          node('Unsqueeze', ['head_mask'], 'head_mask3', [axes([2])]),
          node('Mul', [HIDDEN, 'head_mask3'], 'head_masked'),
          node('ReduceSum', ['head_masked'], 'head_sum', [axes([1]), keepdims(0)]),
          node('ReduceSum', ['head_mask3'], 'head_count', [axes([1]), keepdims(0)]),
          node('Max', ['head_count', 'head_count_floor'], 'head_count_clamped'),
          node('Div', ['head_sum', 'head_count_clamped'], 'head_pooled'),
        ]
      : [node('Gather', [HIDDEN, 'head_first_token'], 'head_pooled', [{ name: 'axis', type: INT, i: 1 }])];
  return [
    ...pooled,
    node('Mul', ['head_pooled', 'head_pooled'], 'head_squares'),
    node('ReduceSum', ['head_squares'], 'head_norm_squared', [axes([1]), keepdims(1)]),
    node('Sqrt', ['head_norm_squared'], 'head_norm'),
    node('Max', ['head_norm', 'head_norm_floor'], 'head_norm_clamped'),
    node('Div', ['head_pooled', 'head_norm_clamped'], 'head_embedding'),
    node('MatMul', ['head_embedding', 'head_weights'], 'head_linear'),
    node('Add', ['head_linear', 'head_bias'], 'head_logits'),
    node('Softmax', ['head_logits'], PROBABILITIES, [{ name: 'axis', type: INT, i: 1 }]),
  ];
}

/** The encoder's bytes with the head appended; last_hidden_state stays internal, probabilities is the output. */
export function composeClassifierGraph(encoder: Uint8Array, options: ComposeOptions): Uint8Array {
  const model = onnx.ModelProto.decode(encoder);
  const graph = model.graph;
  if (graph == null) throw new Error('the encoder has no graph');
  const outputs = graph.output ?? [];
  const hidden = outputs.find((output) => output.name === HIDDEN);
  const width = hidden?.type?.tensorType?.shape?.dim?.[2]?.dimValue;
  if (hidden === undefined || width == null)
    throw new Error(`the encoder has no ${HIDDEN} [batch, sequence, width] output`);
  const dims = Number(width);
  const { head } = options;
  if (head.weights.length !== dims)
    throw new Error(`the head takes ${head.weights.length} dimensions, the encoder gives ${dims}`);
  const labels = head.labels.length;
  if (head.bias.length !== labels || head.weights.some((row) => row.length !== labels)) {
    throw new Error(`the head's weights and bias must have ${labels} columns (one per label)`);
  }

  const weights = new Float32Array(dims * labels);
  head.weights.forEach((row, d) => {
    weights.set(row, d * labels);
  });
  graph.node = [...(graph.node ?? []), ...headNodes(options.pooling)];
  graph.initializer = [
    ...(graph.initializer ?? []),
    floatTensor('head_weights', [dims, labels], weights),
    floatTensor('head_bias', [labels], head.bias),
    floatTensor('head_norm_floor', [], [1e-12]),
    ...(options.pooling === 'mean'
      ? [floatTensor('head_count_floor', [], [1e-9])]
      : [
          {
            name: 'head_first_token',
            dims: [],
            dataType: onnx.TensorProto.DataType.INT64,
            int64Data: [0],
          },
        ]),
  ];
  graph.output = [
    {
      name: PROBABILITIES,
      type: {
        tensorType: {
          elemType: onnx.TensorProto.DataType.FLOAT,
          shape: { dim: [{ dimParam: 'batch_size' }, { dimValue: labels }] },
        },
      },
    },
  ];
  graph.name = options.graphName;
  model.docString = options.docString;
  model.producerName = 'livepipe';
  model.producerVersion = 'models/classifier-graph.ts';
  return onnx.ModelProto.encode(model).finish();
}
