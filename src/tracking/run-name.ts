/**
 * Generated run names in MLflow's shape, `<adjective>-<animal>-<0…999>`, so runs are easy to
 * tell apart in tables and the UI. The word lists are mlrecipe's own.
 */
import { randomInt } from 'node:crypto';

const ADJECTIVES = (
  'agile amber bold brave bright calm clever crisp curious daring dapper eager fast fierce gentle ' +
  'glad golden grand happy honest humble jolly keen kind lively loyal lucky merry mighty nimble ' +
  'noble patient placid polite proud quick quiet rapid rare sharp shiny silent sleek smooth snug ' +
  'steady stellar sunny swift tidy vivid warm wise witty zesty'
).split(' ');

const ANIMALS = (
  'albatross antelope badger bat bear beaver bison camel cat crane crow deer dolphin donkey eagle ' +
  'eel elk falcon ferret finch fox frog gecko goat goose hare hawk heron horse ibis jackal koala ' +
  'lark lemur lion lynx mole moose newt otter owl panda pony quail rabbit raven seal shrew sloth ' +
  'snail stork swan tapir tiger toad trout turtle vole whale wolf wren yak zebra'
).split(' ');

export const RUN_NAME_PATTERN = /^[a-z]+-[a-z]+-\d{1,3}$/;

export function generateRunName(): string {
  const adjective = ADJECTIVES[randomInt(ADJECTIVES.length)];
  const animal = ANIMALS[randomInt(ANIMALS.length)];
  return `${adjective}-${animal}-${randomInt(1000)}`;
}
