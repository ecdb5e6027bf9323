// The head that models/classifier-graph.ts appends to an encoder, on a tiny encoder built here
// (last_hidden_state[b, t] = input_ids[b, t] · [1, 2, −1] + [0, 0, 1]: its direction depends on the
// id, so a padded token in the mean would change the result), against pooling and softmax by hand:
// padding is left out of the mean, CLS takes the first token, and the output is [batch, labels].
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { composeClassifierGraph, type LinearHead } from '../../../models/classifier-graph.js';
import { headProbabilities } from '../../../models/linear-head.js';

const { onnx } = onnxProto;
const DIRECTION = [1, 2, -1];
const OFFSET = [0, 0, 1];
const hiddenOf = (id: number) => DIRECTION.map((d, k) => d * id + OFFSET[k]!);

function tinyEncoder(): Uint8Array {
  const int64Input = (name: string): onnxProto.onnx.IValueInfoProto => ({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.INT64,
        shape: { dim: [{ dimParam: 'batch_size' }, { dimParam: 'sequence_length' }] },
      },
    },
  });
  const direction = Float32Array.from(DIRECTION);
  const model: onnxProto.onnx.IModelProto = {
    irVersion: 6,
    opsetImport: [{ domain: '', version: 11 }],
    graph: {
      name: 'tiny-encoder',
      node: [
        {
          opType: 'Cast',
          input: ['input_ids'],
          output: ['ids'],
          attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
        },
        {
          opType: 'Unsqueeze',
          input: ['ids'],
          output: ['ids3'],
          attribute: [{ name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [2] }],
        },
        { opType: 'Mul', input: ['ids3', 'direction'], output: ['scaled'] },
        { opType: 'Add', input: ['scaled', 'offset'], output: ['last_hidden_state'] },
      ],
      initializer: [
        {
          name: 'direction',
          dims: [3],
          dataType: onnx.TensorProto.DataType.FLOAT,
          rawData: new Uint8Array(direction.buffer),
        },
        {
          name: 'offset',
          dims: [3],
          dataType: onnx.TensorProto.DataType.FLOAT,
          rawData: new Uint8Array(Float32Array.from(OFFSET).buffer),
        },
      ],
      input: [int64Input('input_ids'), int64Input('attention_mask')],
      output: [
        {
          name: 'last_hidden_state',
          type: {
            tensorType: {
              elemType: onnx.TensorProto.DataType.FLOAT,
              shape: { dim: [{ dimParam: 'batch_size' }, { dimParam: 'sequence_length' }, { dimValue: 3 }] },
            },
          },
        },
      ],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

const head: LinearHead = {
  labels: ['negative', 'positive'],
  weights: [
    [0.5, -1],
    [2, 1.5],
    [-3, 0.25],
  ],
  bias: [0.1, -0.2],
};

function unit(vector: number[]): Float32Array {
  const norm = Math.max(Math.hypot(...vector), 1e-12);
  return Float32Array.from(vector.map((value) => value / norm));
}

async function run(graph: Uint8Array, ids: number[][], mask: number[][]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(graph);
  const shape = [ids.length, ids[0]!.length];
  const tensor = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), shape);
  const output = await session.run({ input_ids: tensor(ids), attention_mask: tensor(mask) });
  await session.release();
  expect(output.probabilities!.dims).toEqual([ids.length, 2]);
  return output.probabilities!.data as Float32Array;
}

describe('composeClassifierGraph', () => {
  const ids = [
    [3, 1, 9],
    [2, 0, 0],
  ];
  const mask = [
    [1, 1, 0],
    [1, 0, 0],
  ];

  it('mean-pools over the attention mask only, normalises, then applies the head and softmax', async () => {
    const graph = composeClassifierGraph(tinyEncoder(), { pooling: 'mean', head, graphName: 't', docString: 'd' });
    const probabilities = await run(graph, ids, mask);
    // Row 0 keeps tokens 3 and 1 (mean id 2; with the padded 9 it would be 13/3), row 1 keeps token 2.
    for (const [row, mean] of [2, 2].entries()) {
      const expected = headProbabilities(head, unit(hiddenOf(mean)));
      expect(probabilities[row * 2]).toBeCloseTo(expected[0]!, 6);
      expect(probabilities[row * 2 + 1]).toBeCloseTo(expected[1]!, 6);
    }
  });

  it('takes the first token for CLS pooling', async () => {
    const graph = composeClassifierGraph(tinyEncoder(), { pooling: 'cls', head, graphName: 't', docString: 'd' });
    const probabilities = await run(graph, [[-4, 5, 6]], [[1, 1, 1]]);
    const expected = headProbabilities(head, unit(hiddenOf(-4)));
    expect(probabilities[0]).toBeCloseTo(expected[0]!, 6);
    expect(probabilities[1]).toBeCloseTo(expected[1]!, 6);
  });

  it('refuses a head whose width is not the encoder output width', () => {
    const narrow = { ...head, weights: head.weights.slice(0, 2) };
    expect(() =>
      composeClassifierGraph(tinyEncoder(), { pooling: 'mean', head: narrow, graphName: 't', docString: 'd' }),
    ).toThrow('the head takes 2 dimensions, the encoder gives 3');
  });

  it('gives the same bytes for the same encoder and head', () => {
    const options = { pooling: 'mean', head, graphName: 't', docString: 'd' } as const;
    expect(composeClassifierGraph(tinyEncoder(), options)).toEqual(composeClassifierGraph(tinyEncoder(), options));
  });
});
